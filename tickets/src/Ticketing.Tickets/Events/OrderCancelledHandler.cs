using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Tickets.Data;

namespace Ticketing.Tickets.Events;

/// <summary>
/// OrderCancelled: the ticket is released (TicketUpdated, available, no order) only when the cancelled order is
/// the one holding it. A cancellation of any other order changes nothing others see: a stale or duplicate
/// cancellation must never free a ticket another buyer holds.
/// </summary>
public sealed class OrderCancelledHandler(
    ITicketStore store,
    TimeProvider timeProvider,
    ILogger<OrderCancelledHandler> logger) : IEventHandler<OrderCancelledV1>
{
    public async Task<HandlerOutcome> HandleAsync(OrderCancelledV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        var ticket = await store.GetAsync(@event.Ticket.Id, cancellationToken);
        if (ticket is null)
        {
            return HandlerOutcome.Park($"ticket {@event.Ticket.Id} of cancelled order {@event.Id} does not exist");
        }

        if (ticket.IsReservedBy(@event.Id))
        {
            var released = await store.ReplaceAsync(ticket, ticket.Release(@event.Id, timeProvider.GetUtcNow()), cancellationToken);
            return HandlerOutcome.AfterWrite(released, $"ticket {ticket.Id}");
        }

        if (ticket.IsSoldTo(@event.Id))
        {
            // Orders never cancels a completed order; if it ever says so, the sale still stands.
            logger.LogWarning("Order {OrderId} was reported cancelled but bought ticket {TicketId}; the ticket stays sold", @event.Id, ticket.Id);
            return HandlerOutcome.Ack;
        }

        if (ticket.WasCancelled(@event.Id))
        {
            return HandlerOutcome.Ack; // A duplicate: already released or remembered.
        }

        // Not the holder: its OrderCreated was handled long ago (and the ticket moved on) or has not arrived yet.
        // Remember the order so a late OrderCreated never reserves the ticket for it.
        var remembered = await store.ReplaceAsync(ticket, ticket.RememberCancelled(@event.Id, timeProvider.GetUtcNow()), cancellationToken);
        return HandlerOutcome.AfterWrite(remembered, $"ticket {ticket.Id}");
    }
}
