using Ticketing.Common.Storage;
using Ticketing.Tickets.Domain;

namespace Ticketing.Tickets.Data;

/// <summary>
/// The tickets service's own store: the few reads and writes it needs, over one document collection, the
/// same on MongoDB and on the embedded store. Writes are atomic with the events in the ticket's outbox.
/// </summary>
public interface ITicketStore
{
    Task<Ticket?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tickets that can be bought (neither reserved nor sold), newest first, one page: after the ticket whose
    /// <see cref="Ticket.ListKey"/> is <paramref name="after"/> (keyset paging, stable while tickets come and go), then
    /// <paramref name="offset"/> more skipped.
    /// </summary>
    Task<IReadOnlyList<Ticket>> ListAvailableAsync(int limit, int offset, string? after = null, CancellationToken cancellationToken = default);

    /// <summary>Stores a new ticket (and publishes its TicketCreated).</summary>
    Task<WriteResult> AddAsync(Ticket ticket, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="next"/> only if the stored ticket is still <paramref name="current"/> (same version,
    /// same revision): <see cref="WriteResult.Conflict"/> when someone changed it since it was read, and nothing
    /// is written. A stale writer fails; it never overwrites.
    /// </summary>
    Task<WriteResult> ReplaceAsync(Ticket current, Ticket next, CancellationToken cancellationToken = default);
}
