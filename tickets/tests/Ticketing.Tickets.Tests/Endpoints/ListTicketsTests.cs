using System.Net;
using System.Net.Http.Json;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Testing.Web;
using Ticketing.Tickets.Domain;
using Ticketing.Tickets.Endpoints;
using Ticketing.Tickets.Tests.Infrastructure;

namespace Ticketing.Tickets.Tests.Endpoints;

/// <summary>
/// <c>GET /api/tickets</c>: available tickets only, newest first, bounded by <c>limit</c> (1..500, default 100)
/// and <c>offset</c>. Each test has a service (and store) of its own, so it sees exactly the tickets it made.
/// </summary>
public sealed class ListTicketsTests(NatsServerFixture nats) : IClassFixture<NatsServerFixture>, IAsyncLifetime
{
    private TicketsApp _app = null!;

    public Task InitializeAsync()
    {
        _app = new TicketsApp(nats.Server);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<string[]> CreateTicketsAsync(int count)
    {
        var client = _app.CreateSignedInClient(out _);
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add((await client.CreateTicketAsync($"Ticket {i}", i + 1)).Id);
        }

        return [.. ids];
    }

    [Fact]
    public async Task List_NoTickets_ReturnsAnEmptyArray()
    {
        Assert.Empty(await _app.CreateAnonymousClient().ListTicketsAsync());
    }

    [Fact]
    public async Task List_ShowsCreatedTickets_NewestFirst_ToAnonymousVisitors()
    {
        var client = _app.CreateSignedInClient(out var userId);
        var first = await client.CreateTicketAsync("First", 10m);
        var second = await client.CreateTicketAsync("Second", 20m);
        var third = await _app.CreateSignedInClient(out _).CreateTicketAsync("Third", 30m);

        var tickets = await _app.CreateAnonymousClient().ListTicketsAsync();

        Assert.Equal([third, second, first], tickets);
        Assert.Equal(userId, tickets[2].UserId);
    }

    [Fact]
    public async Task List_LeavesOutReservedAndSoldTickets()
    {
        var ids = await CreateTicketsAsync(4);
        var (reservedBy, soldTo) = (DocumentIds.New(), DocumentIds.New());
        await _app.ChangeAsync(ids[1], t => t.Reserve(reservedBy, DateTimeOffset.UtcNow));
        await _app.ChangeAsync(ids[2], t => t.Reserve(soldTo, DateTimeOffset.UtcNow).MarkSold(soldTo, DateTimeOffset.UtcNow));

        var tickets = await _app.CreateAnonymousClient().ListTicketsAsync();

        Assert.Equal([ids[3], ids[0]], tickets.Select(t => t.Id));
    }

    [Fact]
    public async Task List_ShowsAReleasedTicketAgain()
    {
        var ids = await CreateTicketsAsync(1);
        var orderId = DocumentIds.New();
        await _app.ChangeAsync(ids[0], t => t.Reserve(orderId, DateTimeOffset.UtcNow));
        Assert.Empty(await _app.CreateAnonymousClient().ListTicketsAsync());

        await _app.ChangeAsync(ids[0], t => t.Release(orderId, DateTimeOffset.UtcNow));

        Assert.Equal(ids, (await _app.CreateAnonymousClient().ListTicketsAsync()).Select(t => t.Id));
    }

    [Fact]
    public async Task List_FollowingTheNextLink_ShowsEveryTicketOnce_WhileNewTicketsArrive()
    {
        var existing = await CreateTicketsAsync(12);
        var seller = _app.CreateSignedInClient(out _);
        var client = _app.CreateAnonymousClient();
        var seen = new List<string>();
        var url = "/api/tickets?limit=5";
        for (var page = 0; url is not null; page++)
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            seen.AddRange((await response.Content.ReadFromJsonAsync<TicketResponse[]>(Api.Json))!.Select(t => t.Id));
            url = response.Headers.TryGetValues("Link", out var links)
                ? System.Text.RegularExpressions.Regex.Match(links.Single(), "^<(?<url>[^>]+)>; rel=\"next\"$").Groups["url"].Value
                : null;

            // Tickets put up for sale between two pages are newer than the cursor: they shift no page (an offset would).
            await seller.CreateTicketAsync($"Arrived during page {page}", 5m);
            Assert.True(page < 5, "the walk must end");
        }

        Assert.Equal(existing.Reverse(), seen);
    }

    [Fact]
    public async Task List_WithAnOverlongCursor_Returns400NamingTheField()
    {
        var response = await _app.CreateAnonymousClient().GetAsync($"/api/tickets?after={new string('a', 101)}");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Invalid value for 'after'", "after"));
    }

    [Fact]
    public async Task List_LimitAndOffset_ReturnOnePage()
    {
        var ids = await CreateTicketsAsync(5);
        var newestFirst = ids.Reverse().ToArray();
        var client = _app.CreateAnonymousClient();

        Assert.Equal(newestFirst[..2], (await client.ListTicketsAsync("?limit=2")).Select(t => t.Id));
        Assert.Equal(newestFirst[2..4], (await client.ListTicketsAsync("?limit=2&offset=2")).Select(t => t.Id));
        Assert.Equal(newestFirst[4..], (await client.ListTicketsAsync("?limit=2&offset=4")).Select(t => t.Id));
        Assert.Empty(await client.ListTicketsAsync("?offset=5"));
    }

    [Fact]
    public async Task List_WithoutALimit_ReturnsAtMost100()
    {
        var userId = DocumentIds.New();
        var start = DateTimeOffset.UtcNow;
        for (var i = 0; i < 101; i++)
        {
            // Straight into the store: 101 requests would only slow the test down.
            await _app.Store.AddAsync(Ticket.Create($"Bulk {i}", 1m, userId, start.AddMilliseconds(i)));
        }

        var tickets = await _app.CreateAnonymousClient().ListTicketsAsync();

        Assert.Equal(100, tickets.Length);
        Assert.Equal("Bulk 100", tickets[0].Title);
        Assert.Equal(101, (await _app.CreateAnonymousClient().ListTicketsAsync("?limit=500")).Length);
    }

    [Theory]
    [InlineData("?limit=0", "Limit must be between 1 and 500", "limit")]
    [InlineData("?limit=-1", "Limit must be between 1 and 500", "limit")]
    [InlineData("?limit=501", "Limit must be between 1 and 500", "limit")]
    [InlineData("?offset=-1", "Offset must be 0 or more", "offset")]
    [InlineData("?limit=abc", "Invalid value for 'limit'", "limit")]
    [InlineData("?offset=1.5", "Invalid value for 'offset'", "offset")]
    [InlineData("?limit=99999999999", "Invalid value for 'limit'", "limit")]
    public async Task List_OutOfRangeOrMalformedPaging_Returns400NamingTheField(string query, string message, string field)
    {
        var response = await _app.CreateAnonymousClient().GetAsync($"/api/tickets{query}");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, (message, field));
    }

    [Fact]
    public async Task List_BothPagingValuesOutOfRange_ReportsBoth()
    {
        var response = await _app.CreateAnonymousClient().GetAsync("/api/tickets?limit=0&offset=-5");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest,
            ("Limit must be between 1 and 500", "limit"), ("Offset must be 0 or more", "offset"));
    }
}
