using System.Collections.Concurrent;
using Ticketing.Tickets.Domain;

namespace Ticketing.Tickets.Data;

/// <summary>
/// The first page of the ticket list (the home page, by far the most requested read) kept for a short time
/// (<c>TICKET_LIST_CACHE_MS</c>, default 500 ms; 0 turns it off). This instance's own writes drop it at once; a write
/// by another replica of the service shows after at most that time. Buying is unaffected: an order reserves a ticket
/// atomically in orders, whatever a list showed.
/// </summary>
public sealed class TicketListCache(TimeProvider timeProvider, TimeSpan lifetime)
{
    public const string LifetimeSetting = "TICKET_LIST_CACHE_MS";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<int, Page> _pages = new();
    private long _generation;

    private sealed record Page(long Generation, DateTimeOffset LoadedAt, IReadOnlyList<Ticket> Tickets);

    /// <summary>Forgets every cached page (after a write through this instance).</summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);

    /// <summary>The first <paramref name="limit"/> available tickets: cached if fresh, else loaded and kept.</summary>
    public async Task<IReadOnlyList<Ticket>> FirstPageAsync(int limit, Func<Task<IReadOnlyList<Ticket>>> load)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            return await load();
        }

        // Read the generation before loading: a write during the load makes this page stale at once.
        var generation = Interlocked.Read(ref _generation);
        var now = timeProvider.GetUtcNow();
        if (_pages.TryGetValue(limit, out var page) && page.Generation == generation && now - page.LoadedAt < lifetime)
        {
            return page.Tickets;
        }

        var tickets = await load();
        _pages[limit] = new Page(generation, now, tickets);
        return tickets;
    }
}
