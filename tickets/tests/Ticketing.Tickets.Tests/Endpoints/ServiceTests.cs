using System.Net;
using System.Text.Json.Nodes;
using Ticketing.Common.Testing.Web;
using Ticketing.Tickets.Tests.Infrastructure;

namespace Ticketing.Tickets.Tests.Endpoints;

/// <summary>What every service has: health for Kubernetes, an OpenAPI document, and a clear stop on bad settings.</summary>
public sealed class ServiceTests(TicketsAppFixture fixture) : IClassFixture<TicketsAppFixture>
{
    [Fact]
    public void Handlers_AreExactlyItsConsumersInTheCatalogue_ThatProvisioningCreatesAndThePermissionFileGrants() =>
        fixture.App.AssertHandlersMatchTheConsumerCatalogue();

    [Fact]
    public async Task Health_LiveAndReady_Return200_WithStorageNatsAndOutboxChecked()
    {
        var client = fixture.App.CreateAnonymousClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        JsonObject? ready = null;
        await Common.Testing.Eventually.TrueAsync(async () =>
        {
            var response = await client.GetAsync("/health/ready");
            ready = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            return response.StatusCode == HttpStatusCode.OK;
        }, "the service to be ready");
        Assert.Equal(["nats", "outbox", "storage"], ready!["checks"]!.AsObject().Select(c => c.Key).Order());
    }

    [Fact]
    public async Task OpenApi_DescribesTheFourOperations()
    {
        var document = JsonNode.Parse(await fixture.App.CreateAnonymousClient().GetStringAsync("/openapi/v1.json"))!;

        var paths = document["paths"]!.AsObject();
        Assert.Equal(["post", "get"], paths["/api/tickets"]!.AsObject().Select(p => p.Key).Order().Reverse());
        Assert.Equal(["put", "get"], paths["/api/tickets/{id}"]!.AsObject().Select(p => p.Key).Order().Reverse());
        var operations = paths.SelectMany(p => p.Value!.AsObject().Select(o => (string?)o.Value!["operationId"])).Order();
        Assert.Equal(["CreateTicket", "GetTicket", "ListTickets", "UpdateTicket"], operations);
    }

    [Theory]
    [InlineData("NATS_URL")]
    [InlineData("JWT_KEY")]
    public async Task Start_WithoutARequiredSetting_FailsNamingIt(string setting)
    {
        await using var app = new TicketsApp();
        app.Settings["NATS_URL"] = fixture.App.Nats.Url;
        app.Settings[setting] = "";

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains($"Configuration error: {setting} is required", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithATooShortJwtKey_FailsNamingIt()
    {
        await using var app = new TicketsApp();
        app.Settings["NATS_URL"] = fixture.App.Nats.Url;
        app.Settings["JWT_KEY"] = "short";

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("JWT_KEY must be base64 of at least 32 random bytes", error.ToString(), StringComparison.Ordinal);
    }
}
