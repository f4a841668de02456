using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Orders.Data;
using Ticketing.Orders.Domain;

namespace Ticketing.Orders.Events;

/// <summary>
/// TicketUpdated carries the whole ticket, so it applies whenever its version is newer than the replica's (inserting
/// the replica when TicketCreated has not arrived yet); an older or equal version is a duplicate (ack, change nothing).
/// A lost or parked middle version therefore never stalls the replica.
/// </summary>
public sealed class TicketUpdatedHandler(ITicketReplicaStore tickets, ILogger<TicketUpdatedHandler> logger) : IEventHandler<TicketUpdatedV1>
{
    public async Task<HandlerOutcome> HandleAsync(TicketUpdatedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        var next = new TicketReplica { Id = @event.Id, Title = @event.Title, Price = @event.Price, Version = @event.Version };
        var current = await tickets.GetAsync(@event.Id, cancellationToken);
        if (current is null)
        {
            // Arrived before its TicketCreated (another subject): the update is the whole ticket, so insert it.
            // Duplicate = someone inserted meanwhile: the redelivery compares versions with what is stored then.
            return HandlerOutcome.AfterWrite(await tickets.AddAsync(next, cancellationToken) switch
            {
                WriteResult.Duplicate => WriteResult.Conflict,
                var result => result,
            }, $"ticket {@event.Id}");
        }

        if (!current.IsOlderThan(@event.Version))
        {
            return HandlerOutcome.Ack;
        }

        var outcome = HandlerOutcome.AfterWrite(await tickets.ReplaceAsync(current, next, cancellationToken), $"ticket {@event.Id}");
        if (outcome.Decision == HandlerDecision.Ack)
        {
            logger.LogDebug("Ticket {TicketId} replica is at v{Version}", @event.Id, @event.Version);
        }

        return outcome;
    }
}
