using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Expiration.Data;
using Ticketing.Expiration.Jobs;

namespace Ticketing.Expiration.Events;

/// <summary>OrderCompleted (paid): the order's job is deleted and the order remembered as completed.</summary>
public sealed class OrderCompletedHandler(ExpirationScheduler scheduler) : IEventHandler<OrderCompletedV1>
{
    public async Task<HandlerOutcome> HandleAsync(OrderCompletedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        await scheduler.CancelAsync(@event.Id, OrderJobEntry.Completed);
        return HandlerOutcome.Ack;
    }
}
