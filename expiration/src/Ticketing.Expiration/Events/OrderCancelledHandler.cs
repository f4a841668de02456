using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Expiration.Data;
using Ticketing.Expiration.Jobs;

namespace Ticketing.Expiration.Events;

/// <summary>
/// OrderCancelled (by its buyer, or by its own expiry): the order's job is deleted if it is still scheduled, and the
/// order is remembered as cancelled, so a late or redelivered OrderCreated schedules nothing.
/// </summary>
public sealed class OrderCancelledHandler(ExpirationScheduler scheduler) : IEventHandler<OrderCancelledV1>
{
    public async Task<HandlerOutcome> HandleAsync(OrderCancelledV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        await scheduler.CancelAsync(@event.Id, OrderJobEntry.Cancelled);
        return HandlerOutcome.Ack;
    }
}
