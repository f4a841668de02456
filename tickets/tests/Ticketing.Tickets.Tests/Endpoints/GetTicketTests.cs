using System.Net;
using System.Text.Json.Nodes;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Web;
using Ticketing.Tickets.Tests.Infrastructure;

namespace Ticketing.Tickets.Tests.Endpoints;

/// <summary><c>GET /api/tickets/{id}</c>: anyone may look; reserved tickets too; 404 for unknown or malformed ids.</summary>
public sealed class GetTicketTests(TicketsAppFixture fixture) : IClassFixture<TicketsAppFixture>
{
    private TicketsApp App => fixture.App;

    [Fact]
    public async Task Get_UnknownId_Returns404()
    {
        var response = await App.CreateAnonymousClient().GetAsync($"/api/tickets/{DocumentIds.New()}");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ("Not Found", null));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("not-an-id")]
    [InlineData("0123456789ABCDEF01234567")] // upper case is not how ids are written
    [InlineData("0123456789abcdef0123456")] // 23 characters
    [InlineData("0123456789abcdef012345678")] // 25 characters
    [InlineData("0123456789abcdef0123456g")]
    [InlineData("%20")]
    public async Task Get_MalformedId_Returns404(string id)
    {
        var response = await App.CreateAnonymousClient().GetAsync($"/api/tickets/{id}");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ("Not Found", null));
    }

    [Fact]
    public async Task Get_Existing_Returns200_ToAnonymousVisitors()
    {
        var created = await App.CreateSignedInClient(out var sellerId).CreateTicketAsync("Opera", 55.25m);

        var ticket = await App.CreateAnonymousClient().GetTicketAsync(created.Id);

        Assert.Equal(created, ticket);
        Assert.Equal(("Opera", 55.25m, sellerId, 0L), (ticket.Title, ticket.Price, ticket.UserId, ticket.Version));
    }

    [Fact]
    public async Task Get_ReservedTicket_ShowsTheOrderAndStatus()
    {
        var created = await App.CreateSignedInClient(out _).CreateTicketAsync("Ballet", 30m);
        var orderId = DocumentIds.New();
        await App.ChangeAsync(created.Id, t => t.Reserve(orderId, DateTimeOffset.UtcNow));

        var response = await App.CreateAnonymousClient().GetAsync($"/api/tickets/{created.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(orderId, (string)body["orderId"]!);
        Assert.Equal("reserved", (string)body["status"]!);
        Assert.Equal(1, (long)body["version"]!);
    }

    [Fact]
    public async Task Get_AvailableTicket_LeavesOrderIdOut()
    {
        var created = await App.CreateSignedInClient(out _).CreateTicketAsync("Circus", 12m);

        var body = JsonNode.Parse(await App.CreateAnonymousClient().GetStringAsync($"/api/tickets/{created.Id}"))!.AsObject();

        Assert.False(body.ContainsKey("orderId"));
        Assert.False(body.ContainsKey("outbox"));
        Assert.False(body.ContainsKey("revision"));
    }
}
