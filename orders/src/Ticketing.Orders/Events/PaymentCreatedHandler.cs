using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Orders.Data;

namespace Ticketing.Orders.Events;

/// <summary>
/// PaymentCreated: a pending order becomes complete (OrderCompleted). A payment the order cannot accept — the
/// order was cancelled first, or another payment already completed it — never changes its status: the order asks
/// payments for a refund instead (OrderRefundRequested, once per payment).
/// </summary>
public sealed class PaymentCreatedHandler(IOrderStore orders, TimeProvider timeProvider, ILogger<PaymentCreatedHandler> logger)
    : IEventHandler<PaymentCreatedV1>
{
    public async Task<HandlerOutcome> HandleAsync(PaymentCreatedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        var order = await orders.GetAsync(@event.OrderId, cancellationToken);
        if (order is null)
        {
            return HandlerOutcome.Park($"payment {@event.Id} is for order {@event.OrderId}, which is unknown");
        }

        var now = timeProvider.GetUtcNow();
        var refund = !order.IsPending() && order.PaymentId != @event.Id;
        var next = refund ? order.RequestRefund(@event, now) : order.Complete(@event.Id, now);
        if (next.Version == order.Version)
        {
            return HandlerOutcome.Ack; // this payment was handled before
        }

        var outcome = HandlerOutcome.AfterWrite(await orders.ReplaceAsync(order, next, cancellationToken), $"order {order.Id}");
        if (outcome.Decision != HandlerDecision.Ack)
        {
            return outcome;
        }

        if (refund)
        {
            logger.LogWarning(
                "Payment {PaymentId} arrived for order {OrderId}, which is {Status}; the order is unchanged and a refund is requested",
                @event.Id, order.Id, order.Status);
        }
        else
        {
            logger.LogInformation("Order {OrderId} is complete (payment {PaymentId})", order.Id, @event.Id);
        }

        return HandlerOutcome.Ack;
    }
}
