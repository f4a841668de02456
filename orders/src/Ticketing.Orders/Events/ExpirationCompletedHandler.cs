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
public sealed class ExpirationCompletedHandler(IOrderStore orders, TimeProvider timeProvider, ILogger<ExpirationCompletedHandler> logger)
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
            return HandlerOutcome.RetryAt($"order {order.Id} expires at {order.ExpiresAt:O}, it is {now:O}", order.ExpiresAt, now);
        }

        // Paid or cancelled meanwhile (a conflict): the redelivery decides on the new state.
        var outcome = HandlerOutcome.AfterWrite(await orders.ReplaceAsync(order, order.Cancel(now), cancellationToken), $"order {order.Id}");
        if (outcome.Decision != HandlerDecision.Ack)
        {
            return outcome;
        }

        logger.LogInformation("Order {OrderId} expired and was cancelled; ticket {TicketId} is released", order.Id, order.TicketId);
        return HandlerOutcome.Ack;
    }
}
