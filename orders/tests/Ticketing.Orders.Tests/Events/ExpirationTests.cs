using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Orders.Endpoints;
using Ticketing.Orders.Tests.Infrastructure;

namespace Ticketing.Orders.Tests.Events;

/// <summary>
/// ExpirationCompleted through a real nats-server, with the service's clock under the test's control: a pending
/// order is cancelled at (never before) its expiresAt; a completed or cancelled order is left alone.
/// </summary>
public sealed class ExpirationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = OrdersApp.NewClock();
    private OrdersApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = new OrdersApp { OwnNats = true, Clock = _clock };
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(HttpClient Client, OrderResponse Order)> PlaceOrderAsync()
    {
        var client = _app.CreateSignedInClient();
        var ticket = await _app.SeedTicketAsync();
        return (client, await _app.PlaceOrderAsync(client, ticket.Id));
    }

    [Fact]
    public async Task Expiration_WhenOrderPending_CancelsItPublishesOrderCancelledAndFreesTheTicket()
    {
        var (client, order) = await PlaceOrderAsync();
        _clock.Advance(TimeSpan.FromMinutes(15));

        await _app.PublishAsync(new ExpirationCompletedV1(order.Id));

        var cancelled = await _app.WaitForEventAsync<OrderCancelledV1>(e => e.Id == order.Id, "OrderCancelled");
        Assert.Equal(new OrderCancelledV1(order.Id, 1, new OrderTicketRefV1(order.Ticket.Id)), cancelled);
        var stored = await (await client.GetAsync($"/api/orders/{order.Id}")).ReadAsync<OrderResponse>(HttpStatusCode.OK);
        Assert.Equal((OrderStatus.Cancelled, 1L), (stored.Status, stored.Version));
        var next = await _app.CreateSignedInClient().PostAsJsonAsync("/api/orders", new { ticketId = order.Ticket.Id });
        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
    }

    [Fact]
    public async Task Expiration_AtTheExactWindowBoundary_Cancels_AndNeverEarlier()
    {
        var (_, order) = await PlaceOrderAsync();
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(900), order.ExpiresAt);
        _clock.SetUtcNow(order.ExpiresAt.AddTicks(-1));

        // Expiration fired a tick early (clock skew): the order must wait, and the event comes back later.
        await _app.PublishAsync(new ExpirationCompletedV1(order.Id));
        await _app.WaitAsync(async () =>
                (await _app.Events.ConsumerInfoAsync<ExpirationCompletedV1>())?.NumRedelivered >= 1
                || (await _app.StoredOrderAsync(order.Id)).Status != OrderStatus.Created,
            "the early ExpirationCompleted to be sent back and delivered again");
        var early = await _app.StoredOrderAsync(order.Id);
        Assert.Equal((OrderStatus.Created, 0L), (early.Status, early.Version));

        _clock.SetUtcNow(order.ExpiresAt);

        await _app.WaitAsync(async () => (await _app.StoredOrderAsync(order.Id)).Status == OrderStatus.Cancelled, "the order to be cancelled at its expiresAt");
        await _app.WaitForEventAsync<OrderCancelledV1>(e => e.Id == order.Id, "OrderCancelled");
    }

    [Fact]
    public async Task Expiration_CompletedOrder_LeavesItComplete_AndPublishesNothing()
    {
        var (_, order) = await PlaceOrderAsync();
        await _app.WaitHandledAsync<PaymentCreatedV1>(await _app.PublishAsync(new PaymentCreatedV1(DocumentIds.New(), order.Id, "pi_1")));
        Assert.Equal(OrderStatus.Complete, (await _app.StoredOrderAsync(order.Id)).Status);
        _clock.Advance(TimeSpan.FromHours(1)); // well past expiresAt: only the status can keep the order

        await _app.WaitHandledAsync<ExpirationCompletedV1>(await _app.PublishAsync(new ExpirationCompletedV1(order.Id)));

        var stored = await _app.StoredOrderAsync(order.Id);
        Assert.Equal((OrderStatus.Complete, 1L), (stored.Status, stored.Version));
        Assert.Empty(stored.Outbox);
        Assert.DoesNotContain(await _app.Events.AllAsync<OrderCancelledV1>(), e => e.Id == order.Id);
    }

    [Fact]
    public async Task Expiration_CancelledOrder_PublishesNothing()
    {
        var (client, order) = await PlaceOrderAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/orders/{order.Id}")).StatusCode);
        _clock.Advance(TimeSpan.FromHours(1));

        await _app.WaitHandledAsync<ExpirationCompletedV1>(await _app.PublishAsync(new ExpirationCompletedV1(order.Id)));

        var stored = await _app.StoredOrderAsync(order.Id);
        Assert.Equal((OrderStatus.Cancelled, 1L), (stored.Status, stored.Version));
        Assert.Empty(stored.Outbox);
        Assert.Single(await _app.Events.AllAsync<OrderCancelledV1>(), e => e.Id == order.Id); // the buyer's own cancellation only
    }

    [Fact]
    public async Task Expiration_UnknownOrder_IsParked()
    {
        var orderId = DocumentIds.New();

        await _app.PublishAsync(new ExpirationCompletedV1(orderId));

        await _app.WaitForParkedAsync<ExpirationCompletedV1>(e => e.OrderId == orderId, "the message to be dead-lettered");
    }
}
