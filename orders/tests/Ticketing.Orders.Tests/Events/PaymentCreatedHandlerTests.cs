using Microsoft.Extensions.Logging.Abstractions;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Orders.Domain;
using Ticketing.Orders.Events;

namespace Ticketing.Orders.Tests.Events;

/// <summary>
/// PaymentCreated called directly on a real embedded store: a pending order completes with OrderCompleted; a
/// payment the order cannot accept (cancelled first, or completed by another payment) leaves its status alone and
/// requests a refund once; the same payment again changes nothing.
/// </summary>
public sealed class PaymentCreatedHandlerTests : IDisposable
{
    private readonly HandlerTestStore _store = new();

    public void Dispose() => _store.Dispose();

    private Task<HandlerOutcome> PaymentCreated(PaymentCreatedV1 payment) =>
        new PaymentCreatedHandler(_store.Orders, _store.Clock, NullLogger<PaymentCreatedHandler>.Instance).HandleAsync(
            payment, HandlerTestStore.Delivery(), CancellationToken.None);

    private static PaymentCreatedV1 PaymentFor(Order order) => new(DocumentIds.New(), order.Id, $"pi_{Guid.NewGuid():N}");

    [Fact]
    public async Task PaymentCreated_WhenPending_CompletesTheOrderWithOrderCompletedInTheOutbox()
    {
        var order = await _store.AddOrderAsync();
        var payment = PaymentFor(order);

        Assert.Equal(HandlerOutcome.Ack, await PaymentCreated(payment));

        var stored = await _store.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Complete, 1L, payment.Id), (stored.Status, stored.Version, stored.PaymentId));
        Assert.Equal(order.TicketId, stored.ReservationKey); // a complete order keeps its ticket
        Assert.Equal(new OrderCompletedV1(order.Id, 1, new OrderTicketRefV1(order.TicketId)), HandlerTestStore.Decode<OrderCompletedV1>(Assert.Single(stored.Outbox)));
    }

    [Fact]
    public async Task PaymentCreated_WhenTheSamePaymentComesTwice_ChangesNothingTheSecondTime()
    {
        var order = await _store.AddOrderAsync();
        var payment = PaymentFor(order);
        await PaymentCreated(payment);
        var completed = await _store.OrderAsync(order.Id);

        Assert.Equal(HandlerOutcome.Ack, await PaymentCreated(payment));

        Assert.Equal(HandlerTestStore.State(completed), HandlerTestStore.State(await _store.OrderAsync(order.Id)));
    }

    [Fact]
    public async Task PaymentCreated_WhenCancelled_RequestsARefundOnceAndStaysCancelled()
    {
        var order = await _store.ChangeAsync(await _store.AddOrderAsync(), o => o.Cancel(_store.Clock.GetUtcNow()));
        var payment = PaymentFor(order);

        Assert.Equal(HandlerOutcome.Ack, await PaymentCreated(payment));
        Assert.Equal(HandlerOutcome.Ack, await PaymentCreated(payment)); // redelivered

        var stored = await _store.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Cancelled, 2L, (string?)null), (stored.Status, stored.Version, stored.PaymentId));
        Assert.Equal([payment.Id], stored.RefundedPaymentIds);
        Assert.Equal(new OrderRefundRequestedV1(order.Id, payment.Id, payment.StripeId), HandlerTestStore.Decode<OrderRefundRequestedV1>(Assert.Single(stored.Outbox)));
    }

    [Fact]
    public async Task PaymentCreated_WhenAnotherPaymentCompletedTheOrder_RequestsARefundAndKeepsTheFirst()
    {
        var first = PaymentFor(await _store.AddOrderAsync());
        var order = await _store.ChangeAsync(await _store.OrderAsync(first.OrderId), o => o.Complete(first.Id, _store.Clock.GetUtcNow()));
        var second = PaymentFor(order);

        Assert.Equal(HandlerOutcome.Ack, await PaymentCreated(second));

        var stored = await _store.OrderAsync(order.Id);
        Assert.Equal((OrderStatus.Complete, 2L, first.Id), (stored.Status, stored.Version, stored.PaymentId));
        Assert.Equal(new OrderRefundRequestedV1(order.Id, second.Id, second.StripeId), HandlerTestStore.Decode<OrderRefundRequestedV1>(Assert.Single(stored.Outbox)));
    }

    [Fact]
    public async Task PaymentCreated_WhenTheOrderIsUnknown_Parks()
    {
        var outcome = await PaymentCreated(new PaymentCreatedV1(DocumentIds.New(), DocumentIds.New(), "pi_1"));

        Assert.Equal(HandlerDecision.Park, outcome.Decision);
    }
}
