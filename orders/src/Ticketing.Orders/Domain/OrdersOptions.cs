namespace Ticketing.Orders.Domain;

/// <summary>The orders service's own rules that come from settings (read in Extensions/OrdersServices).</summary>
public sealed record OrdersOptions(TimeSpan ExpirationWindow, int MaxPendingPerUser = OrdersOptions.DefaultMaxPendingPerUser)
{
    /// <summary>How many live (created or awaiting payment) orders one user may hold at once (default 5, 1..1000).</summary>
    public const string MaxPendingPerUserSetting = "ORDER_MAX_PENDING_PER_USER";

    public const int DefaultMaxPendingPerUser = 5;

    /// <summary>How long an order holds its ticket before it expires, in seconds (default 900, 1..86400).</summary>
    public const string ExpirationWindowSetting = "ORDER_EXPIRATION_WINDOW_SECONDS";

    public static readonly TimeSpan DefaultExpirationWindow = TimeSpan.FromMinutes(15);
}
