using Microsoft.Extensions.Time.Testing;
using Ticketing.Tickets.Data;
using Ticketing.Tickets.Domain;

namespace Ticketing.Tickets.Tests.Data;

/// <summary>The home page's short cache: fresh for its lifetime, dropped by this instance's writes, off at 0.</summary>
public sealed class TicketListCacheTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private int _loads;

    private Task<IReadOnlyList<Ticket>> LoadAsync()
    {
        _loads++;
        return Task.FromResult<IReadOnlyList<Ticket>>([Ticket.Create($"Load {_loads}", 10m, "000000000000000000000001", _clock.GetUtcNow())]);
    }

    [Fact]
    public async Task FirstPage_WithinItsLifetime_IsServedFromTheCache_ThenReloaded()
    {
        var cache = new TicketListCache(_clock, TimeSpan.FromMilliseconds(500));

        var first = await cache.FirstPageAsync(100, LoadAsync);
        _clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Same(first, await cache.FirstPageAsync(100, LoadAsync));
        Assert.Equal(1, _loads);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("Load 2", (await cache.FirstPageAsync(100, LoadAsync))[0].Title);
        await cache.FirstPageAsync(20, LoadAsync); // another page size is another entry
        Assert.Equal(3, _loads);
    }

    [Fact]
    public async Task Invalidate_AfterAWrite_MakesTheNextRequestLoad()
    {
        var cache = new TicketListCache(_clock, TimeSpan.FromSeconds(10));
        await cache.FirstPageAsync(100, LoadAsync);

        cache.Invalidate();

        Assert.Equal("Load 2", (await cache.FirstPageAsync(100, LoadAsync))[0].Title);
    }

    [Fact]
    public async Task ZeroLifetime_TurnsTheCacheOff()
    {
        var cache = new TicketListCache(_clock, TimeSpan.Zero);

        await cache.FirstPageAsync(100, LoadAsync);
        await cache.FirstPageAsync(100, LoadAsync);

        Assert.Equal(2, _loads);
    }
}
