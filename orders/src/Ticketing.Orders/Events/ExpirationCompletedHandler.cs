using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Orders.Data;

namespace Ticketing.Orders.Events;

/// <summary>
/// ExpirationCompleted: an order still waiting for payment is cancelled (its ticket released, OrderCancelled
/// published). A completed or already cancelled order is left alone and nothing is published. The event never
/// cancels early: if it arrives before <c>expiresAt</c> by this service's clock, it comes back when that time is due.
/// </summary>
public sealed class ExpirationCompletedHandler(OrderStore orders, TimeProvider timeProvider, ILogger<ExpirationCompletedHandler> logger)
    : IEventHandler<ExpirationCompletedV1>
{
    public async Task<HandlerOutcome> HandleAsync(ExpirationCompletedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        var order = await orders.GetAsync(@event.OrderId, cancellationToken);
        if (order is null)
        {
            return HandlerOutcome.Park($"order {@event.OrderId} is unknown");
        }

        if (!order.IsPending())
        {
            return HandlerOutcome.Ack;
        }

        var now = timeProvider.GetUtcNow();
        if (!order.HasExpiredAt(now))
        {
            // Clock skew between expiration and this service: wait for our own clock to reach expiresAt.
            return HandlerOutcome.Retry($"order {order.Id} expires at {order.ExpiresAt:O}, it is {now:O}", Redelivery.Until(order.ExpiresAt, now));
        }

        var result = await orders.SaveAsync(order.Cancel(now), order, cancellationToken);
        if (result != WriteResult.Ok)
        {
            // Paid or cancelled meanwhile: the redelivery decides on the new state.
            return HandlerOutcome.Retry($"order {order.Id} changed while expiring it ({result})", Redelivery.Minimum);
        }

        logger.LogInformation("Order {OrderId} expired and was cancelled; ticket {TicketId} is released", order.Id, order.TicketId);
        return HandlerOutcome.Ack;
    }
}
