using System.Net;
using System.Net.Http.Json;
using System.Text;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Web;
using Ticketing.Orders.Endpoints;
using Ticketing.Orders.Tests.Infrastructure;

namespace Ticketing.Orders.Tests.Http;

/// <summary><c>POST /api/orders</c>: who may order, which tickets, what is stored and published.</summary>
public sealed class CreateOrderTests(OrdersAppFixture fixture) : IClassFixture<OrdersAppFixture>
{
    private OrdersApp App => fixture.App;

    [Fact]
    public async Task Create_Anonymous_Returns401()
    {
        var ticket = await App.SeedTicketAsync();

        var response = await App.CreateAnonymousClient().PostAsJsonAsync("/api/orders", new { ticketId = ticket.Id });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ("Not authorized", null));
        Assert.Empty(await App.Orders.ListForTicketAsync(ticket.Id));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"ticketId":null}""")]
    [InlineData("""{"ticketId":""}""")]
    [InlineData("""{"ticketId":"   "}""")]
    [InlineData("""{"ticketId":"not-an-id"}""")]
    [InlineData("""{"ticketId":"6743A1F0C2B5E3A1D4F09A12"}""")]
    public async Task Create_WithoutAWellFormedTicketId_Returns400_TicketIdMustBeProvided(string body)
    {
        var response = await App.CreateSignedInClient().PostAsync("/api/orders", new StringContent(body, Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("TicketId must be provided", "ticketId"));
    }

    [Fact]
    public async Task Create_TicketIdOfTheWrongType_Returns400NamingTheField()
    {
        var response = await App.CreateSignedInClient().PostAsync("/api/orders", new StringContent("""{"ticketId":42}""", Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Invalid value for 'ticketId'", "ticketId"));
    }

    [Fact]
    public async Task Create_UnknownTicket_Returns404()
    {
        var response = await App.CreateSignedInClient().PostAsJsonAsync("/api/orders", new { ticketId = DocumentIds.New() });

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ("Not Found", null));
    }

    [Fact]
    public async Task Create_ReservesTheTicket_Returns201WithTheOrder()
    {
        var ticket = await App.SeedTicketAsync("Opera", 45.5m);
        var client = App.CreateSignedInClient(out var userId);

        var response = await client.PostAsJsonAsync("/api/orders", new { ticketId = ticket.Id });

        var order = await response.ReadAsync<OrderResponse>(HttpStatusCode.Created);
        Assert.Equal($"/api/orders/{order.Id}", response.Headers.Location?.ToString());
        Assert.True(DocumentIds.IsValid(order.Id));
        Assert.Equal((userId, OrderStatus.Created, 0L), (order.UserId, order.Status, order.Version));
        Assert.Equal(new OrderTicketResponse(ticket.Id, "Opera", 45.5m, 0), order.Ticket);
        var stored = await App.StoredOrderAsync(order.Id);
        Assert.Equal((userId, ticket.Id, OrderStatus.Created), (stored.UserId, stored.TicketId, stored.Status));
        Assert.Equal(order.ExpiresAt, stored.ExpiresAt);
    }

    [Fact]
    public async Task Create_AnswersInTheContractsJsonShape()
    {
        var ticket = await App.SeedTicketAsync("Jazz", 12m);

        var response = await App.CreateSignedInClient().PostAsJsonAsync("/api/orders", new { ticketId = ticket.Id });

        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(["id", "userId", "status", "expiresAt", "version", "ticket"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("created", root.GetProperty("status").GetString());
        Assert.EndsWith("Z", root.GetProperty("expiresAt").GetString(), StringComparison.Ordinal);
        Assert.Equal(["id", "title", "price", "version"], root.GetProperty("ticket").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Create_PublishesOrderCreated()
    {
        var ticket = await App.SeedTicketAsync(price: 99.99m);
        var client = App.CreateSignedInClient(out var userId);

        var order = await App.PlaceOrderAsync(client, ticket.Id);

        var created = await App.WaitForEventAsync<OrderCreatedV1>(e => e.Id == order.Id, "OrderCreated for the new order");
        Assert.Equal(new OrderCreatedV1(order.Id, 0, OrderStatus.Created, userId, order.ExpiresAt, new OrderTicketV1(ticket.Id, 99.99m)), created);
        Assert.Empty((await App.StoredOrderAsync(order.Id)).Outbox); // published by the write itself
    }

    [Fact]
    public async Task Create_TicketReservedByAnotherOrder_Returns400_AndStoresNothing()
    {
        var ticket = await App.SeedTicketAsync();
        await App.PlaceOrderAsync(App.CreateSignedInClient(), ticket.Id);

        var response = await App.CreateSignedInClient().PostAsJsonAsync("/api/orders", new { ticketId = ticket.Id });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Ticket is already reserved", null));
        Assert.Single(await App.Orders.ListForTicketAsync(ticket.Id));
    }

    [Fact]
    public async Task Create_TicketOfACompletedOrder_Returns400()
    {
        var ticket = await App.SeedTicketAsync();
        var sold = await App.StoredOrderAsync((await App.PlaceOrderAsync(App.CreateSignedInClient(), ticket.Id)).Id);
        Assert.Equal(WriteResult.Ok, await App.Orders.ReplaceAsync(sold, sold.Complete(DocumentIds.New(), DateTimeOffset.UtcNow)));

        var response = await App.CreateSignedInClient().PostAsJsonAsync("/api/orders", new { ticketId = ticket.Id });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Ticket is already reserved", null));
    }

    [Fact]
    public async Task Create_TicketOfACancelledOrder_Returns201()
    {
        var ticket = await App.SeedTicketAsync();
        var firstBuyer = App.CreateSignedInClient();
        var first = await App.PlaceOrderAsync(firstBuyer, ticket.Id);
        Assert.Equal(HttpStatusCode.NoContent, (await firstBuyer.DeleteAsync($"/api/orders/{first.Id}")).StatusCode);

        var second = await App.PlaceOrderAsync(App.CreateSignedInClient(), ticket.Id);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(OrderStatus.Created, second.Status);
    }
}
