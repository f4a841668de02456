using Ticketing.Common.Hosting;

namespace Ticketing.Payments.Extensions;

/// <summary>
/// The payments service's own settings. Exactly one gateway: Stripe (<c>STRIPE_KEY</c>) or, only when explicitly
/// enabled, the simulated one (<c>PAYMENTS_SIMULATED=true</c>). With neither, or both, the service refuses to start.
/// </summary>
public sealed record PaymentsOptions(
    string? StripeKey,
    bool Simulated,
    string? WebhookSecret,
    Uri? StripeApiBase,
    int WebhookRateLimit,
    TimeSpan WebhookRateLimitWindow)
{
    public const string StripeKeySetting = "STRIPE_KEY";
    public const string SimulatedSetting = "PAYMENTS_SIMULATED";
    public const string WebhookSecretSetting = "STRIPE_WEBHOOK_SECRET";
    public const string StripeApiBaseSetting = "STRIPE_API_BASE";
    public const string WebhookRateLimitSetting = "PAYMENTS_WEBHOOK_RATE_LIMIT";
    public const string WebhookRateLimitWindowSetting = "PAYMENTS_WEBHOOK_RATE_LIMIT_WINDOW_SECONDS";

    /// <summary>Reads the settings; a missing or bad one throws <see cref="InvalidSettingException"/> naming it, which stops the service at start.</summary>
    public static PaymentsOptions From(IConfiguration configuration)
    {
        var stripeKey = configuration.Optional(StripeKeySetting);
        var simulated = configuration.Bool(SimulatedSetting, false);
        if (stripeKey is null && !simulated)
        {
            throw new InvalidSettingException(StripeKeySetting,
                $"is required: a Stripe secret key (sk_test_... or sk_live_...); for an offline local run without Stripe set {SimulatedSetting}=true instead");
        }

        if (stripeKey is not null && simulated)
        {
            throw new InvalidSettingException(SimulatedSetting,
                $"must not be true when {StripeKeySetting} is set: payments either go to Stripe or are simulated, never both");
        }

        var apiBase = configuration.Optional(StripeApiBaseSetting);
        Uri? apiBaseUri = null;
        if (apiBase is not null && !Uri.TryCreate(apiBase, UriKind.Absolute, out apiBaseUri))
        {
            throw new InvalidSettingException(StripeApiBaseSetting, $"must be an absolute URL such as https://api.stripe.com (got '{apiBase}')");
        }

        return new PaymentsOptions(
            stripeKey,
            simulated,
            configuration.Optional(WebhookSecretSetting),
            apiBaseUri,
            configuration.Int(WebhookRateLimitSetting, 300, 1, 1_000_000),
            configuration.Seconds(WebhookRateLimitWindowSetting, TimeSpan.FromMinutes(1), 1, 3600));
    }
}
