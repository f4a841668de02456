using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Payments.Data;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Events;

/// <summary>
/// OrderCreated: the order joins the replica with its buyer and price. If its cancellation or completion arrived
/// first (other subjects), the replica is there already with the newer status: only the buyer and price are filled
/// in. A redelivery finds everything known and changes nothing.
/// </summary>
public sealed class OrderCreatedHandler(IOrderReplicaStore orders) : IEventHandler<OrderCreatedV1>
{
    public async Task<HandlerOutcome> HandleAsync(OrderCreatedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        var replica = await orders.GetAsync(@event.Id, cancellationToken);
        if (replica is null)
        {
            return await orders.AddAsync(OrderReplica.Created(@event), cancellationToken) switch
            {
                WriteResult.Ok => HandlerOutcome.Ack,
                // A status event inserted it meanwhile: the redelivery fills in the details.
                var result => HandlerOutcome.Retry($"order {@event.Id} appeared while inserting it ({result})"),
            };
        }

        var next = replica.WithDetailsOf(@event);
        if (ReferenceEquals(next, replica))
        {
            return HandlerOutcome.Ack;
        }

        return await orders.ReplaceAsync(replica, next, cancellationToken) switch
        {
            WriteResult.Ok => HandlerOutcome.Ack,
            var result => HandlerOutcome.Retry($"order {@event.Id} changed while filling in its details ({result})"),
        };
    }
}
