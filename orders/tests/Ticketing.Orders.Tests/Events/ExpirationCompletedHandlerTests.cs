using Microsoft.Extensions.Logging.Abstractions;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Orders.Domain;
using Ticketing.Orders.Events;

namespace Ticketing.Orders.Tests.Events;

/// <summary>
/// ExpirationCompleted called directly on a real embedded store with a fake clock: never cancels before expiresAt
/// (it asks to come back then), cancels a pending order with OrderCancelled in the same write, leaves a completed or
/// cancelled order alone, and parks an event about an order that does not exist.
/// </summary>
public sealed class ExpirationCompletedHandlerTests : IDisposable
{
    private readonly HandlerTestStore _store = new();

    public void Dispose() => _store.Dispose();

    private Task<HandlerOutcome> ExpirationCompleted(string orderId) =>
        new ExpirationCompletedHandler(_store.Orders, _store.Clock, NullLogger<ExpirationCompletedHandler>.Instance).HandleAsync(
            new ExpirationCompletedV1(orderId), HandlerTestStore.Delivery(), CancellationToken.None);

    [Theory]
    [InlineData(5 * 60 * 1000, 5 * 60 * 1000)] // five minutes early: back in five minutes
    [InlineData(1, 250)]                       // a millisecond early: back after the shortest delay, never a hot loop
    public async Task ExpirationCompleted_WhenEarly_RetriesAtExpiresAtAndChangesNothing(int earlyMs, int delayMs)
    {
        var order = await _store.AddOrderAsync();
        _store.Clock.SetUtcNow(order.ExpiresAt - TimeSpan.FromMilliseconds(earlyMs));

        var outcome = await ExpirationCompleted(order.Id);

        Assert.Equal((HandlerDecision.Retry, TimeSpan.FromMilliseconds(delayMs)), (outcome.Decision, outcome.Delay));
        Assert.Equal(HandlerTestStore.State(order), HandlerTestStore.State(await _store.OrderAsync(order.Id)));
    }

    [Fact]
    public async Task ExpirationCompleted_WhenPendingAtExpiresAt_CancelsWithOrderCancelledInTheOutbox()
    {
        var order = await _store.AddOrderAsync();
        _store.Clock.SetUtcNow(order.ExpiresAt);

        Assert.Equal(HandlerOutcome.Ack, await ExpirationCompleted(order.Id));

        var stored = await _store.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Cancelled, 1L, Order.ReleasedKey(order.Id)), (stored.Status, stored.Version, stored.ReservationKey));
        var message = Assert.Single(stored.Outbox);
        Assert.Equal(new OrderCancelledV1(order.Id, 1, new OrderTicketRefV1(order.TicketId)), HandlerTestStore.Decode<OrderCancelledV1>(message));
    }

    [Fact]
    public async Task ExpirationCompleted_WhenAwaitingPayment_CancelsIt()
    {
        var order = await _store.ChangeAsync(await _store.AddOrderAsync(), o => o with { Status = OrderStatus.AwaitingPayment, Version = 1 });
        _store.Clock.SetUtcNow(order.ExpiresAt.AddHours(1));

        Assert.Equal(HandlerOutcome.Ack, await ExpirationCompleted(order.Id));

        var stored = await _store.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Cancelled, 2L), (stored.Status, stored.Version));
        Assert.Equal(new OrderCancelledV1(order.Id, 2, new OrderTicketRefV1(order.TicketId)), HandlerTestStore.Decode<OrderCancelledV1>(Assert.Single(stored.Outbox)));
    }

    [Theory]
    [InlineData(OrderStatus.Complete)]
    [InlineData(OrderStatus.Cancelled)]
    public async Task ExpirationCompleted_WhenCompleteOrCancelled_AcksAndChangesNothing(OrderStatus status)
    {
        var placed = await _store.AddOrderAsync();
        var order = await _store.ChangeAsync(placed, o => status == OrderStatus.Complete ? o.Complete(DocumentIds.New(), _store.Clock.GetUtcNow()) : o.Cancel(_store.Clock.GetUtcNow()));
        _store.Clock.SetUtcNow(order.ExpiresAt.AddHours(1));

        Assert.Equal(HandlerOutcome.Ack, await ExpirationCompleted(order.Id));

        var stored = await _store.OrderAsync(order.Id);
        Assert.Equal(HandlerTestStore.State(order), HandlerTestStore.State(stored));
        Assert.Equal((status, 1L), (stored.Status, stored.Version));
        Assert.Empty(stored.Outbox);
    }

    [Fact]
    public async Task ExpirationCompleted_WhenTheOrderIsUnknown_Parks()
    {
        var outcome = await ExpirationCompleted(DocumentIds.New());

        Assert.Equal(HandlerDecision.Park, outcome.Decision);
        Assert.Contains("unknown", outcome.Reason, StringComparison.Ordinal);
    }
}
