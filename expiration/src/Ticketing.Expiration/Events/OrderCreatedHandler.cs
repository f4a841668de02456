using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Expiration.Jobs;

namespace Ticketing.Expiration.Events;

/// <summary>
/// OrderCreated: schedule the order's expiration job at its <c>expiresAt</c>. Idempotent: a redelivered or duplicate
/// OrderCreated, or one arriving after the order's cancellation or completion, schedules nothing.
/// Redis unreachable: the scheduler reports a dependency outage and the consumer holds the event until Redis answers.
/// </summary>
public sealed class OrderCreatedHandler(ExpirationScheduler scheduler) : IEventHandler<OrderCreatedV1>
{
    public async Task<HandlerOutcome> HandleAsync(OrderCreatedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        await scheduler.ScheduleAsync(@event.Id, @event.ExpiresAt);
        return HandlerOutcome.Ack;
    }
}
