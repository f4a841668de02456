using System.Globalization;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Tickets.Domain;

namespace Ticketing.Tickets.Data;

/// <summary>
/// <see cref="ITicketStore"/> over the <c>tickets</c> collection. In the service the collection is the outbox
/// collection (a write publishes the ticket's pending events right after it); tests may hand it a plain one.
/// </summary>
public sealed class TicketStore(IDocumentCollection<Ticket> tickets, TicketListCache? listCache = null) : ITicketStore
{
    public const string CollectionName = "tickets";

    public const string ListIndex = "list";
    public const string AvailablePrefix = "available:";

    /// <summary>
    /// The list's index (<see cref="Ticket.ListKey"/>), and the key for tickets stored before it existed. Runs once at
    /// start, before the service takes requests.
    /// </summary>
    public static async Task InitializeAsync(IDocumentCollection<Ticket> tickets, CancellationToken cancellationToken)
    {
        await tickets.EnsureIndexAsync(ListIndex, t => t.ListKey, unique: false, cancellationToken);
        foreach (var ticket in await tickets.FindAsync(t => t.Status == TicketStatus.Available && t.ListKey == null, null, cancellationToken))
        {
            // A concurrent writer sets the key itself, so a lost race here needs no retry.
            var (version, revision) = (ticket.Version, ticket.Revision);
            await tickets.ReplaceAsync(WithListKey(ticket), t => t.Version == version && t.Revision == revision, cancellationToken);
        }
    }

    /// <summary>The ticket with the list key its state calls for (ordinal order of keys = creation order, then id).</summary>
    public static Ticket WithListKey(Ticket ticket) => ticket with
    {
        ListKey = ticket.IsAvailable
            ? string.Create(CultureInfo.InvariantCulture, $"{AvailablePrefix}{ticket.CreatedAt.UtcTicks:D19}:{ticket.Id}")
            : null,
    };

    public Task<Ticket?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        tickets.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<Ticket>> ListAvailableAsync(int limit, int offset, string? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);

        // The filter and the order use the same index, so both backends walk it newest first and stop after the page
        // (null keys sort first, so a descending walk meets every available ticket before them). Not StartsWith:
        // LiteDB 5.0.21 answers nothing for an index LIKE walked in descending order.
        Task<IReadOnlyList<Ticket>> Load() => tickets.FindAsync(
            t => t.ListKey != null,
            new FindOptions<Ticket> { OrderBy = t => t.ListKey, Descending = true, After = after, Skip = offset, Limit = limit },
            cancellationToken);

        return listCache is not null && after is null && offset == 0 ? listCache.FirstPageAsync(limit, Load) : Load();
    }

    public async Task<WriteResult> AddAsync(Ticket ticket, CancellationToken cancellationToken = default)
    {
        var result = await tickets.InsertAsync(WithListKey(ticket), cancellationToken);
        listCache?.Invalidate();
        return result;
    }

    public async Task<WriteResult> ReplaceAsync(Ticket current, Ticket next, CancellationToken cancellationToken = default)
    {
        if (next.Id != current.Id)
        {
            throw new ArgumentException($"Ticket {next.Id} cannot replace ticket {current.Id}.", nameof(next));
        }

        var (version, revision) = (current.Version, current.Revision);
        var result = await tickets.ReplaceAsync(WithListKey(next), t => t.Version == version && t.Revision == revision, cancellationToken);
        listCache?.Invalidate();
        return result;
    }
}
