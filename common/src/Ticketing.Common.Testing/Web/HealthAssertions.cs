using System.Net;
using System.Text.Json;
using Xunit;

namespace Ticketing.Common.Testing.Web;

/// <summary>What operations rely on, asserted the same way for every service: the probes answer and readiness names its checks.</summary>
public static class HealthAssertions
{
    /// <summary>Asserts <c>/health/live</c> and <c>/health/ready</c> answer 200 and readiness reports each of <paramref name="checks"/> Healthy.</summary>
    public static async Task AssertHealthyAsync(this HttpClient client, params string[] checks)
    {
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        using var json = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        var reported = json.RootElement.GetProperty("checks");
        Assert.All(checks, check => Assert.Equal("Healthy", reported.GetProperty(check).GetProperty("status").GetString()));
    }
}
