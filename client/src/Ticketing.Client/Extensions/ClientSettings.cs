using Ticketing.Common.Hosting;

namespace Ticketing.Client.Extensions;

/// <summary>
/// The client's settings, read once at start (a wrong value stops it with a message naming the setting):
/// <list type="bullet">
/// <item><c>TICKETING_API_URL</c>: where the APIs are (the ingress; locally the gateway). Default http://localhost:8080.</item>
/// <item><c>TICKETING_API_HOST</c>: the <c>Host</c> to send (Kubernetes: the public host the ingress rules are for).</item>
/// <item><c>API_TIMEOUT_SECONDS</c>: how long one API call may take (default 10).</item>
/// <item><c>STRIPE_PUBLISHABLE_KEY</c>: set = the payment form uses Stripe Elements (js.stripe.com is then the one script loaded from elsewhere).</item>
/// <item><c>PAYMENTS_SIMULATED</c>: the payments service runs its simulated gateway: show a test-card field and say so. Default: true when no publishable key is set.</item>
/// <item><c>DASHBOARD_URL</c>: local runs only, linked from the footer with the platform status page.</item>
/// </list>
/// </summary>
public sealed record ClientSettings(Uri ApiUrl, string? ApiHost, TimeSpan ApiTimeout, string? StripePublishableKey, bool PaymentsSimulated, Uri? DashboardUrl)
{
    public bool UsesStripe => StripePublishableKey is not null;

    public static ClientSettings From(IConfiguration configuration)
    {
        var api = configuration.Optional("TICKETING_API_URL") ?? "http://localhost:8080";
        if (!Uri.TryCreate(api, UriKind.Absolute, out var apiUrl) || apiUrl.Scheme is not ("http" or "https"))
        {
            throw new InvalidSettingException("TICKETING_API_URL", $"must be an absolute http(s) address (got '{api}')");
        }

        var stripeKey = configuration.Optional("STRIPE_PUBLISHABLE_KEY");
        if (stripeKey is not null && !stripeKey.StartsWith("pk_", StringComparison.Ordinal))
        {
            throw new InvalidSettingException("STRIPE_PUBLISHABLE_KEY", "must be a Stripe publishable key (pk_...), never a secret key");
        }

        Uri? dashboard = null;
        if (configuration.Optional("DASHBOARD_URL") is { } d && !Uri.TryCreate(d, UriKind.Absolute, out dashboard))
        {
            throw new InvalidSettingException("DASHBOARD_URL", $"must be an absolute address (got '{d}')");
        }

        return new ClientSettings(
            apiUrl,
            configuration.Optional("TICKETING_API_HOST"),
            configuration.Seconds("API_TIMEOUT_SECONDS", TimeSpan.FromSeconds(10), 1, 300),
            stripeKey,
            configuration.Bool("PAYMENTS_SIMULATED", stripeKey is null),
            dashboard);
    }
}
