using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Orders.Data;

namespace Ticketing.Orders.Events;

/// <summary>
/// TicketUpdated: applied only on top of <c>Version - 1</c>. An older or equal version is a duplicate (ack,
/// change nothing); a newer one arrived before its predecessor and comes back later, after a delay.
/// </summary>
public sealed class TicketUpdatedHandler(TicketReplicaStore tickets, ILogger<TicketUpdatedHandler> logger) : IEventHandler<TicketUpdatedV1>
{
    public async Task<HandlerOutcome> HandleAsync(TicketUpdatedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        var replica = await tickets.GetAsync(@event.Id, cancellationToken);
        if (replica is null)
        {
            return HandlerOutcome.Retry($"ticket {@event.Id} v{@event.Version} arrived before its TicketCreated", Redelivery.ForGap(context));
        }

        if (replica.Version >= @event.Version)
        {
            return HandlerOutcome.Ack;
        }

        if (replica.Version < @event.Version - 1)
        {
            return HandlerOutcome.Retry($"ticket {@event.Id} is at v{replica.Version}; v{@event.Version} must wait for v{@event.Version - 1}", Redelivery.ForGap(context));
        }

        var next = replica with { Title = @event.Title, Price = @event.Price, Version = @event.Version };
        var result = await tickets.ApplyAsync(next, cancellationToken);
        if (result != WriteResult.Ok)
        {
            // Another delivery moved the replica meanwhile: decide again on what is stored then.
            return HandlerOutcome.Retry($"ticket {@event.Id} changed while applying v{@event.Version} ({result})", Redelivery.Minimum);
        }

        logger.LogDebug("Ticket {TicketId} replica is at v{Version}", @event.Id, @event.Version);
        return HandlerOutcome.Ack;
    }
}
