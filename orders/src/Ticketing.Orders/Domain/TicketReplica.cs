using Ticketing.Common.Storage;

namespace Ticketing.Orders.Domain;

/// <summary>
/// What orders knows about a ticket, kept from TicketCreated / TicketUpdated (tickets owns the ticket). Same id and
/// version as the ticket. Every TicketUpdated carries the whole ticket, so any newer version replaces the replica
/// (see <see cref="IsOlderThan"/>): a lost or parked middle version can never stall it.
/// </summary>
public sealed record TicketReplica : IDocument
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public decimal Price { get; init; }
    public long Version { get; init; }

    /// <summary>True when the ticket at <paramref name="version"/> is newer than this replica and should replace it.</summary>
    public bool IsOlderThan(long version) => Version < version;
}
