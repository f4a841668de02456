using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Tickets.Data;

namespace Ticketing.Tickets.Events;

/// <summary>
/// OrderCompleted: the order paid, so the ticket it reserved is sold (TicketUpdated, status sold, the order's id
/// kept). A redelivery finds it sold to the order already and changes nothing.
/// </summary>
public sealed class OrderCompletedHandler(
    ITicketStore store,
    TimeProvider timeProvider) : IEventHandler<OrderCompletedV1>
{
    public async Task<HandlerOutcome> HandleAsync(OrderCompletedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        var ticket = await store.GetAsync(@event.Ticket.Id, cancellationToken);
        if (ticket is null)
        {
            return HandlerOutcome.Park($"ticket {@event.Ticket.Id} of completed order {@event.Id} does not exist");
        }

        if (ticket.IsSoldTo(@event.Id))
        {
            return HandlerOutcome.Ack;
        }

        if (ticket.IsReservedBy(@event.Id))
        {
            var sold = await store.ReplaceAsync(ticket, ticket.MarkSold(@event.Id, timeProvider.GetUtcNow()), cancellationToken);
            return HandlerOutcome.AfterWrite(sold, $"ticket {ticket.Id}");
        }

        if (ticket.WasCancelled(@event.Id))
        {
            // Orders keeps a cancelled order cancelled (a late payment is refunded): this can never apply.
            return HandlerOutcome.Park($"order {@event.Id} completed, but ticket {ticket.Id} knows it as cancelled");
        }

        if (ticket.Status == TicketStatus.Sold)
        {
            return HandlerOutcome.Park($"order {@event.Id} completed, but ticket {ticket.Id} is sold to order {ticket.OrderId}");
        }

        if (ticket.IsAvailable)
        {
            // Orders completed it, so it held the ticket there; its OrderCreated is not handled here yet or came after
            // its expiry and was refused (an outage, a replay): the sale stands, so sell the ticket to it.
            var sold = await store.ReplaceAsync(ticket, ticket.SellTo(@event.Id, timeProvider.GetUtcNow()), cancellationToken);
            return HandlerOutcome.AfterWrite(sold, $"ticket {ticket.Id}");
        }

        // Reserved by another order whose OrderCancelled is not handled yet: wait, parked if it never comes.
        return HandlerOutcome.Retry(
            $"ticket {ticket.Id} is not reserved by order {@event.Id} yet (it is {ticket.Status})");
    }
}
