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
/// One app (and nats-server) per test: the class is its own fixture, which xunit starts and stops around each test.
public sealed class ExpirationTests : OrdersAppFixture
{
    private readonly FakeTimeProvider _clock = OrdersApp.NewClock();

    protected override OrdersApp CreateApp() => new() { OwnNats = true, Clock = _clock };

    [Fact]
    public async Task Expiration_WhenOrderPending_CancelsItPublishesOrderCancelledAndFreesTheTicket()
    {
        var (client, order) = await App.PlaceNewOrderAsync();
        _clock.Advance(TimeSpan.FromMinutes(15));

        await App.PublishAsync(new ExpirationCompletedV1(order.Id));

        var cancelled = await App.WaitForEventAsync<OrderCancelledV1>(e => e.Id == order.Id, "OrderCancelled");
        Assert.Equal(new OrderCancelledV1(order.Id, 1, new OrderTicketRefV1(order.Ticket.Id)), cancelled);
        var stored = await (await client.GetAsync($"/api/orders/{order.Id}")).ReadAsync<OrderResponse>(HttpStatusCode.OK);
        Assert.Equal((OrderStatus.Cancelled, 1L), (stored.Status, stored.Version));
        var next = await App.CreateSignedInClient().PostAsJsonAsync("/api/orders", new { ticketId = order.Ticket.Id });
        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
    }

    [Fact]
    public async Task Expiration_AtTheExactWindowBoundary_Cancels_AndNeverEarlier()
    {
        var (_, order) = await App.PlaceNewOrderAsync();
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(900), order.ExpiresAt);
        _clock.SetUtcNow(order.ExpiresAt.AddTicks(-1));

        // Expiration fired a tick early (clock skew): the order must wait, and the event comes back later.
        await App.PublishAsync(new ExpirationCompletedV1(order.Id));
        await App.WaitAsync(async () =>
                (await App.Events.ConsumerInfoAsync<ExpirationCompletedV1>())?.NumRedelivered >= 1
                || (await App.StoredOrderAsync(order.Id)).Status != OrderStatus.Created,
            "the early ExpirationCompleted to be sent back and delivered again");
        var early = await App.StoredOrderAsync(order.Id);
        Assert.Equal((OrderStatus.Created, 0L), (early.Status, early.Version));

        _clock.SetUtcNow(order.ExpiresAt);

        await App.WaitAsync(async () => (await App.StoredOrderAsync(order.Id)).Status == OrderStatus.Cancelled, "the order to be cancelled at its expiresAt");
        await App.WaitForEventAsync<OrderCancelledV1>(e => e.Id == order.Id, "OrderCancelled");
    }

    [Fact]
    public async Task Expiration_CompletedOrder_LeavesItComplete_AndPublishesNothing()
    {
        var (_, order) = await App.PlaceNewOrderAsync();
        await App.WaitHandledAsync<PaymentCreatedV1>(await App.PublishAsync(new PaymentCreatedV1(DocumentIds.New(), order.Id, "pi_1")));
        Assert.Equal(OrderStatus.Complete, (await App.StoredOrderAsync(order.Id)).Status);
        _clock.Advance(TimeSpan.FromHours(1)); // well past expiresAt: only the status can keep the order

        await App.WaitHandledAsync<ExpirationCompletedV1>(await App.PublishAsync(new ExpirationCompletedV1(order.Id)));

        var stored = await App.StoredOrderAsync(order.Id);
        Assert.Equal((OrderStatus.Complete, 1L), (stored.Status, stored.Version));
        Assert.Empty(stored.Outbox);
        Assert.DoesNotContain(await App.Events.AllAsync<OrderCancelledV1>(), e => e.Id == order.Id);
    }

    [Fact]
    public async Task Expiration_CancelledOrder_PublishesNothing()
    {
        var (client, order) = await App.PlaceNewOrderAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/orders/{order.Id}")).StatusCode);
        _clock.Advance(TimeSpan.FromHours(1));

        await App.WaitHandledAsync<ExpirationCompletedV1>(await App.PublishAsync(new ExpirationCompletedV1(order.Id)));

        var stored = await App.StoredOrderAsync(order.Id);
        Assert.Equal((OrderStatus.Cancelled, 1L), (stored.Status, stored.Version));
        Assert.Empty(stored.Outbox);
        Assert.Single(await App.Events.AllAsync<OrderCancelledV1>(), e => e.Id == order.Id); // the buyer's own cancellation only
    }

    [Fact]
    public async Task Expiration_UnknownOrder_IsParked()
    {
        var orderId = DocumentIds.New();

        await App.PublishAsync(new ExpirationCompletedV1(orderId));

        await App.WaitForParkedAsync<ExpirationCompletedV1>(e => e.OrderId == orderId, "the message to be dead-lettered");
    }
}
