using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Testing.Web;
using Ticketing.Tickets.Data;
using Ticketing.Tickets.Domain;
using Ticketing.Tickets.Endpoints;
using Ticketing.Tickets.Tests.Infrastructure;

namespace Ticketing.Tickets.Tests.Endpoints;

/// <summary>
/// An edit that loses a compare-and-set race never overwrites the change that won: it is checked again against
/// the new state (and applied on top of it, or refused by the rules), and gives up with 409 if it keeps losing.
/// The races are made deterministic by a store that lets another writer in just before the edit's write.
/// </summary>
public sealed class ConcurrentUpdateTests(NatsServerFixture nats) : IClassFixture<NatsServerFixture>, IAsyncLifetime
{
    private readonly Interference _interference = new();
    private TicketsApp _app = null!;

    public Task InitializeAsync()
    {
        _app = new TicketsApp(nats.Server)
        {
            TestServices = services => services.AddSingleton<ITicketStore>(sp =>
                new InterferingTicketStore(new TicketStore(sp.GetRequiredService<IDocumentCollection<Ticket>>()), _interference)),
        };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Update_WhenAnotherEditWinsTheRace_IsAppliedOnTopOfItAndVersionsGo0To2()
    {
        var client = _app.CreateSignedInClient(out _);
        var ticket = await client.CreateTicketAsync("Original", 10m);
        _interference.Once = t => t.Edit("Other tab", 11m, DateTimeOffset.UtcNow);

        var response = await client.PutTicketAsync(ticket.Id, new { title = "This tab", price = 12 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var updated = (await response.Content.ReadFromJsonAsync<TicketResponse>(Api.Json))!;
        Assert.Equal(("This tab", 12m, 2L), (updated.Title, updated.Price, updated.Version));
        Assert.Equal(1, _interference.Applied);
        Assert.Equal(updated, await client.GetTicketAsync(ticket.Id));
    }

    [Fact]
    public async Task Update_WhenAnOrderReservesTheTicketMeanwhile_Returns400_AndKeepsTheReservation()
    {
        var client = _app.CreateSignedInClient(out _);
        var ticket = await client.CreateTicketAsync("Original", 10m);
        var orderId = DocumentIds.New();
        _interference.Once = t => t.Reserve(orderId, DateTimeOffset.UtcNow);

        var response = await client.PutTicketAsync(ticket.Id, new { title = "Too late", price = 12 });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Cannot edit a reserved ticket", null));
        var stored = await client.GetTicketAsync(ticket.Id);
        Assert.Equal(("Original", orderId, TicketStatus.Reserved, 1L), (stored.Title, stored.OrderId, stored.Status, stored.Version));
    }

    [Fact]
    public async Task Update_ThatKeepsLosingTheRace_Returns409_AndWritesNothingOfIts()
    {
        var client = _app.CreateSignedInClient(out _);
        var ticket = await client.CreateTicketAsync("Original", 10m);
        _interference.Always = t => t.Edit($"Someone else {t.Version}", 11m, DateTimeOffset.UtcNow);

        var response = await client.PutTicketAsync(ticket.Id, new { title = "Never written", price = 12 });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, (TicketsEndpoints.ConflictMessage, null));
        var stored = await client.GetTicketAsync(ticket.Id);
        Assert.Equal(TicketsEndpoints.MaxEditAttempts, _interference.Applied);
        Assert.Equal(("Someone else 2", 3L), (stored.Title, stored.Version));
    }

    [Fact]
    public async Task Update_TwoConcurrentEditsByTheOwner_BothApply_OneAfterTheOther()
    {
        var client = _app.CreateSignedInClient(out _);
        var ticket = await client.CreateTicketAsync("Original", 10m);

        var responses = await Task.WhenAll(
            client.PutTicketAsync(ticket.Id, new { title = "A", price = 1 }),
            client.PutTicketAsync(ticket.Id, new { title = "B", price = 2 }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var results = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<TicketResponse>(Api.Json)));
        Assert.Equal([1L, 2L], results.Select(r => r!.Version).Order());
        var last = results.Single(r => r!.Version == 2)!;
        Assert.Equal(last, await client.GetTicketAsync(ticket.Id));
    }

    /// <summary>What the other writer does to the ticket just before the edit's write.</summary>
    private sealed class Interference
    {
        public Func<Ticket, Ticket>? Once { get; set; }
        public Func<Ticket, Ticket>? Always { get; set; }
        public int Applied { get; set; }
    }

    private sealed class InterferingTicketStore(ITicketStore inner, Interference interference) : ITicketStore
    {
        public Task<Ticket?> GetAsync(string id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

        public Task<IReadOnlyList<Ticket>> ListAvailableAsync(int limit, int offset, string? after = null, CancellationToken cancellationToken = default) =>
            inner.ListAvailableAsync(limit, offset, after, cancellationToken);

        public Task<WriteResult> AddAsync(Ticket ticket, CancellationToken cancellationToken = default) => inner.AddAsync(ticket, cancellationToken);

        public async Task<WriteResult> ReplaceAsync(Ticket current, Ticket next, CancellationToken cancellationToken = default)
        {
            var change = interference.Once ?? interference.Always;
            interference.Once = null;
            if (change is not null)
            {
                var stored = (await inner.GetAsync(current.Id, cancellationToken))!;
                Assert.Equal(WriteResult.Ok, await inner.ReplaceAsync(stored, change(stored), cancellationToken));
                interference.Applied++;
            }

            return await inner.ReplaceAsync(current, next, cancellationToken);
        }
    }
}
