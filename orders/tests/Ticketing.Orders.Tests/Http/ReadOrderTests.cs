using System.Net;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Web;
using Ticketing.Orders.Endpoints;
using Ticketing.Orders.Tests.Infrastructure;

namespace Ticketing.Orders.Tests.Http;

/// <summary><c>GET /api/orders</c> and <c>GET /api/orders/{id}</c>: a user sees their own orders and no one else's.</summary>
public sealed class ReadOrderTests(OrdersAppFixture fixture) : IClassFixture<OrdersAppFixture>
{
    private OrdersApp App => fixture.App;

    [Fact]
    public async Task List_Anonymous_Returns401()
    {
        var response = await App.CreateAnonymousClient().GetAsync("/api/orders");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ("Not authorized", null));
    }

    [Fact]
    public async Task List_ReturnsOnlyTheCallersOrders_InCreationOrder_WithTheirTickets()
    {
        var me = App.CreateSignedInClient(out var myId);
        var someoneElse = App.CreateSignedInClient();
        var placed = new List<OrderResponse>();
        foreach (var title in new[] { "First", "Second", "Third" })
        {
            placed.Add(await App.PlaceOrderAsync(me, (await App.SeedTicketAsync(title)).Id));
            await App.PlaceOrderAsync(someoneElse, (await App.SeedTicketAsync("Not mine")).Id);
        }

        var mine = await (await me.GetAsync("/api/orders")).ReadAsync<List<OrderResponse>>(HttpStatusCode.OK);

        Assert.Equal(placed.Select(o => o.Id), mine.Select(o => o.Id));
        Assert.Equal(["First", "Second", "Third"], mine.Select(o => o.Ticket.Title));
        Assert.All(mine, o => Assert.Equal(myId, o.UserId));
    }

    [Fact]
    public async Task List_WithLimitAndOffset_ReturnsOnePage_OldestFirst()
    {
        var me = App.CreateSignedInClient();
        var placed = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            placed.Add((await App.PlaceOrderAsync(me, (await App.SeedTicketAsync($"T{i}")).Id)).Id);
        }

        Assert.Equal(placed[..2], (await (await me.GetAsync("/api/orders?limit=2")).ReadAsync<List<OrderResponse>>(HttpStatusCode.OK)).Select(o => o.Id));
        Assert.Equal(placed[2..], (await (await me.GetAsync("/api/orders?limit=2&offset=2")).ReadAsync<List<OrderResponse>>(HttpStatusCode.OK)).Select(o => o.Id));
    }

    [Theory]
    [InlineData("?limit=0", "Limit must be between 1 and 500", "limit")]
    [InlineData("?limit=501", "Limit must be between 1 and 500", "limit")]
    [InlineData("?offset=-1", "Offset must be 0 or more", "offset")]
    [InlineData("?limit=abc", "Invalid value for 'limit'", "limit")]
    public async Task List_WhenPagingIsOutOfRange_Returns400NamingTheField(string query, string message, string field)
    {
        var response = await App.CreateSignedInClient().GetAsync($"/api/orders{query}");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, (message, field));
    }

    [Fact]
    public async Task List_UserWithoutOrders_ReturnsAnEmptyList()
    {
        var orders = await (await App.CreateSignedInClient().GetAsync("/api/orders")).ReadAsync<List<OrderResponse>>(HttpStatusCode.OK);

        Assert.Empty(orders);
    }

    [Fact]
    public async Task List_IncludesCancelledOrders_WithTheirStatus()
    {
        var client = App.CreateSignedInClient();
        var order = await App.PlaceOrderAsync(client, (await App.SeedTicketAsync()).Id);
        await client.DeleteAsync($"/api/orders/{order.Id}");

        var orders = await (await client.GetAsync("/api/orders")).ReadAsync<List<OrderResponse>>(HttpStatusCode.OK);

        Assert.Equal(OrderStatus.Cancelled, Assert.Single(orders).Status);
    }

    [Fact]
    public async Task Get_OwnOrder_Returns200_WithTheTicketAsTheReplicaHoldsItNow()
    {
        var client = App.CreateSignedInClient(out var userId);
        var ticket = await App.SeedTicketAsync("Before", 10m);
        var placed = await App.PlaceOrderAsync(client, ticket.Id);
        await App.Tickets.ReplaceAsync(ticket, ticket with { Title = "After", Price = 12m, Version = 1 });

        var order = await (await client.GetAsync($"/api/orders/{placed.Id}")).ReadAsync<OrderResponse>(HttpStatusCode.OK);

        Assert.Equal((placed.Id, userId, OrderStatus.Created, 0L, placed.ExpiresAt), (order.Id, order.UserId, order.Status, order.Version, order.ExpiresAt));
        Assert.Equal(new OrderTicketResponse(ticket.Id, "After", 12m, 1), order.Ticket);
    }

    [Fact]
    public async Task Get_Anonymous_Returns401()
    {
        var placed = await App.PlaceOrderAsync(App.CreateSignedInClient(), (await App.SeedTicketAsync()).Id);

        var response = await App.CreateAnonymousClient().GetAsync($"/api/orders/{placed.Id}");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ("Not authorized", null));
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("malformed")]
    public async Task Get_UnknownOrMalformedId_Returns404(string kind)
    {
        var id = kind == "unknown" ? DocumentIds.New() : "not-an-order-id";

        var response = await App.CreateSignedInClient().GetAsync($"/api/orders/{id}");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ("Not Found", null));
    }

    [Fact]
    public async Task Get_AnotherUsersOrder_Returns403()
    {
        var placed = await App.PlaceOrderAsync(App.CreateSignedInClient(), (await App.SeedTicketAsync()).Id);

        var response = await App.CreateSignedInClient().GetAsync($"/api/orders/{placed.Id}");

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, ("Forbidden", null));
    }
}
