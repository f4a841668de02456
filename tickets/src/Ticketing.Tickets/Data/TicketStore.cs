using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Tickets.Domain;

namespace Ticketing.Tickets.Data;

/// <summary>
/// <see cref="ITicketStore"/> over the <c>tickets</c> collection. In the service the collection is the outbox
/// collection (a write publishes the ticket's pending events right after it); tests may hand it a plain one.
/// </summary>
public sealed class TicketStore(IDocumentCollection<Ticket> tickets) : ITicketStore
{
    public const string CollectionName = "tickets";

    /// <summary>Indexes for the list query (filter on status, newest first). Runs once at start.</summary>
    public static async Task InitializeAsync(IDocumentCollection<Ticket> tickets, CancellationToken cancellationToken)
    {
        await tickets.EnsureIndexAsync("status", t => t.Status, unique: false, cancellationToken);
        await tickets.EnsureIndexAsync("createdAt", t => t.CreatedAt, unique: false, cancellationToken);
    }

    public Task<Ticket?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        tickets.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<Ticket>> ListAvailableAsync(int limit, int offset, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return tickets.FindAsync(
            t => t.Status == TicketStatus.Available,
            new FindOptions<Ticket> { OrderBy = t => t.CreatedAt, Descending = true, Skip = offset, Limit = limit },
            cancellationToken);
    }

    public Task<WriteResult> AddAsync(Ticket ticket, CancellationToken cancellationToken = default) =>
        tickets.InsertAsync(ticket, cancellationToken);

    public Task<WriteResult> ReplaceAsync(Ticket current, Ticket next, CancellationToken cancellationToken = default)
    {
        if (next.Id != current.Id)
        {
            throw new ArgumentException($"Ticket {next.Id} cannot replace ticket {current.Id}.", nameof(next));
        }

        var (version, revision) = (current.Version, current.Revision);
        return tickets.ReplaceAsync(next, t => t.Version == version && t.Revision == revision, cancellationToken);
    }
}
