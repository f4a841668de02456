using System.Net;
using System.Text.Json;
using Ticketing.E2E.Tests.Platform;

namespace Ticketing.E2E.Tests;

/// <summary>The gateway of the running platform: /health over every service, its own errors, its status page, the client at /.</summary>
[Collection(PlatformCollection.Name)]
public sealed class GatewayTests(PlatformFixture platform)
{
    /// <summary>The services that exist now; each new one adds its name (the gateway lists it once the AppHost runs it).</summary>
    public static readonly string[] Services = ["auth", "client", "expiration", "orders", "payments", "tickets"];

    [Fact]
    public async Task Health_ListsEveryServiceReady_WithItsResponseTime()
    {
        using var client = platform.NewClient();

        using var response = await client.GetAsync("/health");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var health = JsonDocument.Parse(body).RootElement;
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        var services = health.GetProperty("services");
        Assert.Equal(Services, services.EnumerateObject().Select(s => s.Name).Order().ToArray());
        foreach (var service in services.EnumerateObject())
        {
            Assert.Equal("Healthy", service.Value.GetProperty("status").GetString());
            Assert.InRange(service.Value.GetProperty("timeMs").GetDouble(), 0, 2000);
            Assert.Equal(JsonValueKind.Object, service.Value.GetProperty("checks").ValueKind);
        }
    }

    [Fact]
    public async Task UnknownPath_WhenNoServiceOwnsIt_Is404InTheErrorContract()
    {
        using var client = platform.NewClient();

        using var response = await client.GetAsync("/api/nothing-here");

        await User.ExpectProblemAsync(response, HttpStatusCode.NotFound, "Not Found", "a route no service owns yet");
    }

    [Fact]
    public async Task GatewayPage_ShowsWhatRuns()
    {
        using var client = platform.NewClient();

        using var response = await client.GetAsync("/gateway");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        foreach (var service in Services)
        {
            Assert.Contains($"<td>{service}</td>", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Root_IsTheWebClientsTicketList()
    {
        using var client = platform.NewClient();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<h1>Tickets for sale</h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
