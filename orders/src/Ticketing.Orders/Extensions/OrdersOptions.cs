using Ticketing.Common.Hosting;

namespace Ticketing.Orders.Extensions;

/// <summary>The orders service's own settings.</summary>
public sealed record OrdersOptions(TimeSpan ExpirationWindow)
{
    /// <summary>How long an order holds its ticket before it expires, in seconds (default 900, 1..86400).</summary>
    public const string ExpirationWindowSetting = "ORDER_EXPIRATION_WINDOW_SECONDS";

    public static readonly TimeSpan DefaultExpirationWindow = TimeSpan.FromMinutes(15);

    /// <summary>Reads the settings; a bad value throws <see cref="InvalidSettingException"/> naming it, which stops the service at start.</summary>
    public static OrdersOptions From(IConfiguration configuration) =>
        new(configuration.Seconds(ExpirationWindowSetting, DefaultExpirationWindow, 1, 24 * 3600));
}
