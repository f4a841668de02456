using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;

namespace Ticketing.Tickets.Events;

/// <summary>What a handler answers once its compare-and-set write is done.</summary>
internal static class Outcome
{
    public static HandlerOutcome Of(WriteResult result, string ticketId) => result switch
    {
        WriteResult.Ok => HandlerOutcome.Ack,
        // Someone changed the ticket since it was read: the redelivery decides again on the new state.
        WriteResult.Conflict => HandlerOutcome.Retry($"ticket {ticketId} changed while the event was handled"),
        WriteResult.NotFound => HandlerOutcome.Park($"ticket {ticketId} disappeared while the event was handled"),
        _ => HandlerOutcome.Retry($"writing ticket {ticketId} failed: {result}"),
    };
}
