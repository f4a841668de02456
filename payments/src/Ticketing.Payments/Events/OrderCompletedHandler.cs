using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Payments.Data;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Events;

/// <summary>
/// OrderCompleted: the replica takes the order's new status and version when the event is newer than what it holds
/// (inserting the replica if OrderCreated has not arrived yet); an older or equal version changes nothing.
/// </summary>
public sealed class OrderCompletedHandler(IOrderReplicaStore orders) : IEventHandler<OrderCompletedV1>
{
    public async Task<HandlerOutcome> HandleAsync(OrderCompletedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        var replica = await orders.GetAsync(@event.Id, cancellationToken);
        if (replica is null)
        {
            return await orders.AddAsync(OrderReplica.StatusOnly(@event.Id, @event.Version, OrderStatus.Complete, @event.Ticket.Id), cancellationToken) switch
            {
                WriteResult.Ok => HandlerOutcome.Ack,
                var result => HandlerOutcome.Retry($"order {@event.Id} appeared while inserting it ({result})"),
            };
        }

        var next = replica.WithStatus(@event.Version, OrderStatus.Complete);
        if (ReferenceEquals(next, replica))
        {
            return HandlerOutcome.Ack; // older or equal version: a duplicate, or overtaken by a newer event
        }

        return await orders.ReplaceAsync(replica, next, cancellationToken) switch
        {
            WriteResult.Ok => HandlerOutcome.Ack,
            var result => HandlerOutcome.Retry($"order {@event.Id} changed while applying v{@event.Version} ({result})"),
        };
    }
}
