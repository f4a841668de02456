extern alias tickets;

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Storage;
using Ticketing.Common.Testing.Web;
using Ticketing.E2E.Tests.Platform;
using Xunit.Abstractions;
using Ticket = tickets::Ticketing.Tickets.Domain.Ticket;
using TicketsProgram = tickets::Program;

namespace Ticketing.E2E.Tests.Faults;

/// <summary>
/// The tickets service's database down for a while under load (Ticketing.Common.Testing's <see cref="StoreFault"/>):
/// requests meanwhile get a clear 503 (never a 500), the events that arrive meanwhile are held, not counted toward
/// <c>NATS_MAX_DELIVER</c> and not parked, and once the database is back every one is applied exactly once.
/// </summary>
/// <remarks>
/// The switch exists only inside a process (it wraps the service's store), so this scenario runs tickets in process
/// (<c>ServiceApp</c>) against a real nats-server of its own, not the whole platform, and plays
/// the orders service by publishing OrderCreated to the stream itself.
/// </remarks>
public sealed class StoreOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Tickets = 30;
    private const int MaxDeliver = 3;
    private readonly StoreFault _fault = new();
    private ServiceApp<TicketsProgram> _app = null!;

    public async Task InitializeAsync()
    {
        _app = new ServiceApp<TicketsProgram> { OwnNats = true, TestServices = services => services.AddStoreFault<Ticket>(_fault) };
        _app.Settings["NATS_MAX_DELIVER"] = MaxDeliver.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _app.Settings["NATS_ACK_WAIT_MS"] = "1000";
        _app.Settings["NATS_RETRY_DELAY_MS"] = "50";
        _app.Settings["NATS_MAX_RETRY_DELAY_MS"] = "200";
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task TicketsStore_WhenDownUnderLoad_Answers503_ParksNothing_AndAppliesEveryEventOnceAfterRecovery()
    {
        using var seller = _app.CreateSignedInClient(out var sellerId);
        var tickets = new List<TicketDto>();
        for (var i = 0; i < Tickets; i++)
        {
            using var created = await seller.PostAsJsonAsync("/api/tickets", new { title = $"Through the outage #{i}", price = 30m + i });
            tickets.Add(await User.ExpectAsync<TicketDto>(created, HttpStatusCode.Created, "create a ticket"));
        }

        // The outage: the database fails every operation; orders reserves every ticket meanwhile.
        var clock = Stopwatch.StartNew();
        _fault.On();
        var orders = tickets.ToDictionary(t => t.Id, t => new OrderCreatedV1(
            Guid.NewGuid().ToString("N")[..24], 0, OrderStatus.Created, Guid.NewGuid().ToString("N")[..24], DateTimeOffset.UtcNow.AddMinutes(15), new OrderTicketV1(t.Id, t.Price)));
        ulong last = 0;
        foreach (var order in orders.Values)
        {
            last = await _app.PublishAsync(order);
        }

        // Requests meanwhile: each a 503 in the error contract with Retry-After, never a 500.
        var answers = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < 10; i++)
        {
            using var read = await seller.GetAsync($"/api/tickets/{tickets[i].Id}");
            using var write = await seller.PostAsJsonAsync("/api/tickets", new { title = "During the outage", price = 5m });
            foreach (var response in new[] { read, write })
            {
                answers[response.StatusCode] = answers.GetValueOrDefault(response.StatusCode) + 1;
                await User.ExpectProblemAsync(response, HttpStatusCode.ServiceUnavailable, null, $"{response.RequestMessage!.Method} during the outage");
                Assert.True(response.Headers.RetryAfter is not null, "a 503 says when to retry");
            }
        }

        // Long enough to matter: the handler met the outage many times more than MaxDeliver, and past AckWait (1 s).
        // From here only the consumer uses the store: 10 x MaxDeliver more refusals, at most 200 ms apart, also outlast AckWait several times.
        var refusedByRequests = _fault.Failures;
        await Eventually.TrueAsync(
            () => _fault.Failures >= refusedByRequests + (10 * MaxDeliver),
            $"the consumer to meet the outage {10 * MaxDeliver} times ({_fault.Failures - refusedByRequests} so far)", TimeSpan.FromSeconds(60));
        _fault.Off();
        var outage = clock.Elapsed;

        var recovery = Stopwatch.StartNew();
        await _app.WaitHandledAsync<OrderCreatedV1>(last);
        var applied = recovery.Elapsed;

        // Every ticket reserved by its order, once; nothing parked; no ticket from the refused requests.
        using var visitor = _app.CreateAnonymousClient();
        foreach (var ticket in tickets)
        {
            using var response = await visitor.GetAsync($"/api/tickets/{ticket.Id}");
            var now = await User.ExpectAsync<TicketDto>(response, HttpStatusCode.OK, "read a ticket");
            Assert.Equal(("reserved", 1L, orders[ticket.Id].Id), (now.Status, now.Version, now.OrderId));
        }

        var updates = await _app.WaitForValueAsync(
            async () => await _app.Events.AllAsync<TicketUpdatedV1>() is { Count: >= Tickets } all ? all : null, "a TicketUpdated per reserved ticket");
        Assert.Equal(tickets.Select(t => t.Id).Order(), updates.Select(u => u.Id).Order());
        Assert.All(updates, u => Assert.Equal(1, u.Version));
        Assert.Equal(Tickets, (await _app.Events.AllAsync<TicketCreatedV1>()).Count);
        Assert.Empty(await _app.Events.ParkedAsync());
        var consumer = await _app.ConsumerInfoAsync<OrderCreatedV1>();
        Assert.Equal((0UL, 0L), (consumer!.NumPending, consumer.NumAckPending));

        output.WriteLine($"In process: tickets (ServiceApp) on its own nats-server, NATS_MAX_DELIVER={MaxDeliver}, AckWait 1 s.");
        output.WriteLine($"Store down for {outage.TotalSeconds:0.0} s with {Tickets} OrderCreated waiting; the store refused {_fault.Failures} operations ({_fault.Failures - refusedByRequests} of them after the requests, by the consumer alone); requests meanwhile: {string.Join(", ", answers.Select(a => $"{(int)a.Key} x{a.Value}"))}.");
        output.WriteLine($"After recovery, all {Tickets} OrderCreated were applied within {applied.TotalSeconds:0.0} s: {Tickets} tickets reserved at version 1, {updates.Count} TicketUpdated (one each, v1), {Tickets} TicketCreated (none from the refused requests), 0 parked, consumer drained (redelivered by the server: {consumer.NumRedelivered}).");
    }
}
