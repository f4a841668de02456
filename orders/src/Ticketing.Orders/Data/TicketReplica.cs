using Ticketing.Common.Storage;

namespace Ticketing.Orders.Data;

/// <summary>
/// What orders knows about a ticket, kept from TicketCreated / TicketUpdated (tickets owns the ticket). Same id and
/// version as the ticket; a TicketUpdated applies only on top of <c>Version - 1</c>.
/// </summary>
public sealed record TicketReplica : IDocument
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public decimal Price { get; init; }
    public long Version { get; init; }
}
