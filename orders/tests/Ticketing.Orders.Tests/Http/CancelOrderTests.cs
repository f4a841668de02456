using System.Net;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Web;
using Ticketing.Orders.Tests.Infrastructure;

namespace Ticketing.Orders.Tests.Http;

/// <summary><c>DELETE /api/orders/{id}</c>: the owner cancels a pending order, which frees the ticket and says so.</summary>
public sealed class CancelOrderTests(OrdersAppFixture fixture) : IClassFixture<OrdersAppFixture>
{
    private OrdersApp App => fixture.App;

    [Fact]
    public async Task Cancel_OwnOrder_Returns204MarksItCancelledAndPublishesOrderCancelled()
    {
        var client = App.CreateSignedInClient();
        var ticket = await App.SeedTicketAsync();
        var order = await App.PlaceOrderAsync(client, ticket.Id);

        var response = await client.DeleteAsync($"/api/orders/{order.Id}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var stored = await App.StoredOrderAsync(order.Id);
        Assert.Equal((OrderStatus.Cancelled, 1L), (stored.Status, stored.Version));
        Assert.False(await App.Orders.IsTicketHeldAsync(ticket.Id));
        var cancelled = await App.WaitForEventAsync<OrderCancelledV1>(e => e.Id == order.Id, "OrderCancelled");
        Assert.Equal(new OrderCancelledV1(order.Id, 1, new OrderTicketRefV1(ticket.Id)), cancelled);
    }

    [Fact]
    public async Task Cancel_CancelledOrder_Returns204_WithoutANewEvent()
    {
        var client = App.CreateSignedInClient();
        var order = await App.PlaceOrderAsync(client, (await App.SeedTicketAsync()).Id);
        await client.DeleteAsync($"/api/orders/{order.Id}");
        await App.WaitForEventAsync<OrderCancelledV1>(e => e.Id == order.Id, "the first OrderCancelled");

        var again = await client.DeleteAsync($"/api/orders/{order.Id}");

        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        var stored = await App.StoredOrderAsync(order.Id);
        Assert.Equal((OrderStatus.Cancelled, 1L), (stored.Status, stored.Version));
        Assert.Empty(stored.Outbox);
        // A second event would have been published by the write, before the response.
        Assert.Single(await App.Events.AllAsync<OrderCancelledV1>(), e => e.Id == order.Id);
    }

    [Fact]
    public async Task Cancel_CompletedOrder_Returns400_AndKeepsItComplete()
    {
        var client = App.CreateSignedInClient();
        var order = await App.PlaceOrderAsync(client, (await App.SeedTicketAsync()).Id);
        var stored = await App.StoredOrderAsync(order.Id);
        await App.Orders.ReplaceAsync(stored, stored.Complete(DocumentIds.New(), DateTimeOffset.UtcNow));

        var response = await client.DeleteAsync($"/api/orders/{order.Id}");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Cannot cancel a completed order", null));
        Assert.Equal((OrderStatus.Complete, 1L), ((await App.StoredOrderAsync(order.Id)).Status, (await App.StoredOrderAsync(order.Id)).Version));
    }

    [Fact]
    public async Task Cancel_AnotherUsersOrder_Returns403_AndChangesNothing()
    {
        var order = await App.PlaceOrderAsync(App.CreateSignedInClient(), (await App.SeedTicketAsync()).Id);

        var response = await App.CreateSignedInClient().DeleteAsync($"/api/orders/{order.Id}");

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, ("Forbidden", null));
        Assert.Equal(OrderStatus.Created, (await App.StoredOrderAsync(order.Id)).Status);
    }

    [Fact]
    public async Task Cancel_Anonymous_Returns401()
    {
        var order = await App.PlaceOrderAsync(App.CreateSignedInClient(), (await App.SeedTicketAsync()).Id);

        var response = await App.CreateAnonymousClient().DeleteAsync($"/api/orders/{order.Id}");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ("Not authorized", null));
        Assert.Equal(OrderStatus.Created, (await App.StoredOrderAsync(order.Id)).Status);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("malformed")]
    public async Task Cancel_UnknownOrMalformedId_Returns404(string kind)
    {
        var id = kind == "unknown" ? DocumentIds.New() : "123";

        var response = await App.CreateSignedInClient().DeleteAsync($"/api/orders/{id}");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ("Not Found", null));
    }
}
