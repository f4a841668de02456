using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Tickets.Data;

namespace Ticketing.Tickets.Events;

/// <summary>
/// OrderCreated: the order reserves its ticket (TicketUpdated, status reserved, with the order's id).
/// Idempotent: a redelivery or duplicate finds the ticket already held by the order and changes nothing.
/// </summary>
public sealed class OrderCreatedHandler(
    ITicketStore store,
    TimeProvider timeProvider,
    ILogger<OrderCreatedHandler> logger) : IEventHandler<OrderCreatedV1>
{
    public async Task<HandlerOutcome> HandleAsync(OrderCreatedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        var ticket = await store.GetAsync(@event.Ticket.Id, cancellationToken);
        if (ticket is null)
        {
            // Tickets owns tickets: an order can only know ids this service published, so waiting cannot help.
            return HandlerOutcome.Park($"ticket {@event.Ticket.Id} of order {@event.Id} does not exist");
        }

        if (ticket.IsHeldBy(@event.Id))
        {
            return HandlerOutcome.Ack; // Reserved (or already sold) by this order: handled before.
        }

        if (ticket.WasCancelled(@event.Id))
        {
            // Its OrderCancelled was handled first (another subject, another consumer): never reserve for it.
            logger.LogInformation("Order {OrderId} was cancelled before its OrderCreated arrived; ticket {TicketId} stays as it is", @event.Id, ticket.Id);
            return HandlerOutcome.Ack;
        }

        var now = timeProvider.GetUtcNow();
        if (Domain.Ticket.HasExpired(@event.ExpiresAt, now))
        {
            // Past its payment window the order is cancelled by expiration (or its OrderCancelled was handled so
            // long ago that the ticket no longer remembers it): reserving now would hold the ticket for nobody.
            logger.LogInformation("Order {OrderId} expired at {ExpiresAt} before its OrderCreated was handled; ticket {TicketId} stays as it is", @event.Id, @event.ExpiresAt, ticket.Id);
            return HandlerOutcome.Ack;
        }

        if (ticket.Status == TicketStatus.Sold)
        {
            // Sold is final: no cancellation will ever free it for this order.
            return HandlerOutcome.Park($"ticket {ticket.Id} is sold to order {ticket.OrderId}, it cannot be reserved by order {@event.Id}");
        }

        if (!ticket.IsAvailable)
        {
            // Usually the previous order's OrderCancelled is not handled yet: try again later, parked if it never comes.
            return HandlerOutcome.Retry(
                $"ticket {ticket.Id} is {ticket.Status} by order {ticket.OrderId}");
        }

        var result = await store.ReplaceAsync(ticket, ticket.Reserve(@event.Id, now), cancellationToken);
        return HandlerOutcome.AfterWrite(result, $"ticket {ticket.Id}");
    }
}
