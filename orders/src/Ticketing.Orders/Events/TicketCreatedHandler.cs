using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Orders.Data;
using Ticketing.Orders.Domain;

namespace Ticketing.Orders.Events;

/// <summary>TicketCreated: the ticket joins the replica at its first version. A redelivery finds it there and changes nothing.</summary>
public sealed class TicketCreatedHandler(ITicketReplicaStore tickets) : IEventHandler<TicketCreatedV1>
{
    public async Task<HandlerOutcome> HandleAsync(TicketCreatedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        var replica = new TicketReplica { Id = @event.Id, Title = @event.Title, Price = @event.Price, Version = @event.Version };

        // Insert, never upsert: a duplicate (or a TicketUpdated that arrived first) must not be rolled back.
        return await tickets.AddAsync(replica, cancellationToken) switch
        {
            WriteResult.Ok or WriteResult.Duplicate => HandlerOutcome.Ack,
            var result => HandlerOutcome.Retry($"inserting ticket {@event.Id} returned {result}"),
        };
    }
}
