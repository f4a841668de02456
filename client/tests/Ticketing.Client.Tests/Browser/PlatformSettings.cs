using System.Runtime.CompilerServices;
using System.Text.Json;
using Ticketing.E2E.Tests.Platform;

namespace Ticketing.Client.Tests.Browser;

/// <summary>What the browser tests need of the platform they start, and what it turned out to have.</summary>
internal static class PlatformSettings
{
    /// <summary>
    /// The payment window of the platform these tests start: long enough to pay on a slow machine, short enough that
    /// the expiry story does not wait 15 minutes. The AppHost passes ORDER_EXPIRATION_WINDOW_SECONDS on to orders.
    /// </summary>
    public const int OrderWindowSeconds = 45;

    [ModuleInitializer]
    internal static void BeforeThePlatformStarts()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ORDER_EXPIRATION_WINDOW_SECONDS")))
        {
            Environment.SetEnvironmentVariable("ORDER_EXPIRATION_WINDOW_SECONDS", OrderWindowSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Whether the gateway's /health lists <paramref name="service"/> (payments and expiration arrive in their own branches).</summary>
    public static async Task<bool> RunsAsync(PlatformFixture platform, string service)
    {
        using var client = platform.NewClient();
        using var response = await client.GetAsync("/health");
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return health.RootElement.TryGetProperty("services", out var services)
            && services.TryGetProperty(service, out var status)
            && status.TryGetProperty("status", out var s) && s.GetString() is "Healthy" or "Degraded";
    }

    public static string Without(string service) =>
        $"this platform runs no {service} service (the gateway's /health does not list it as ready); the step runs once {service} is part of the AppHost";
}
