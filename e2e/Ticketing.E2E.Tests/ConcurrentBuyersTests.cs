using System.Net;
using System.Net.Http.Json;
using Ticketing.Common.Events;
using Ticketing.Common.Testing;
using Ticketing.E2E.Tests.Faults;
using Ticketing.E2E.Tests.Platform;
using Xunit.Abstractions;

namespace Ticketing.E2E.Tests;

/// <summary>
/// The course's reservation race, fixed: of any number of simultaneous buyers of one ticket exactly one gets it; and of
/// many buyers racing for a few tickets exactly one per ticket wins, and the totals reconcile across services.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ConcurrentBuyersTests(PlatformFixture platform, ITestOutputHelper output)
{
    private const int Buyers = 10;

    [Fact]
    public async Task Buy_WhenManyBuyersTryAtOnce_ExactlyOneGetsTheTicket()
    {
        using var seller = await User.SignUpAsync(platform, "seller");
        var ticket = await seller.SellAsync("Final, front row", 150m);
        var buyers = await Task.WhenAll(Enumerable.Range(0, Buyers).Select(i => User.SignUpAsync(platform, $"buyer{i}")));
        try
        {
            // Make sure orders already knows the ticket (TicketCreated arrived), so the race below is about reserving,
            // not about replication: one buyer orders and cancels first.
            var probe = await buyers[0].BuyAsync(ticket.Id);
            await buyers[0].CancelAsync(probe.Id);

            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = buyers.Select(async buyer =>
            {
                await go.Task;
                using var response = await buyer.Http.PostAsJsonAsync("/api/orders", new { ticketId = ticket.Id });
                return (Buyer: buyer, Status: response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            }).ToList();
            go.SetResult();
            var results = await Task.WhenAll(attempts);

            var summary = string.Join("\n", results.Select(r => $"{(int)r.Status} {r.Body}"));
            var winners = results.Where(r => r.Status == HttpStatusCode.Created).ToList();
            Assert.True(winners.Count == 1, $"expected exactly one 201 among {Buyers} simultaneous buyers:\n{summary}");
            Assert.All(results.Where(r => r.Status != HttpStatusCode.Created), r =>
            {
                Assert.Equal(HttpStatusCode.BadRequest, r.Status);
                Assert.Contains("Ticket is already reserved", r.Body, StringComparison.Ordinal);
            });

            var winningOrder = System.Text.Json.JsonSerializer.Deserialize<OrderDto>(winners[0].Body, User.Json)!;
            Assert.Equal(winners[0].Buyer.Id, winningOrder.UserId);
            using var visitor = User.Anonymous(platform);
            await visitor.TicketEventuallyAsync(ticket.Id, t => t.Status == "reserved" && t.OrderId == winningOrder.Id, "the ticket is reserved by the winner");
        }
        finally
        {
            foreach (var buyer in buyers)
            {
                buyer.Dispose();
            }
        }
    }

    private const int Racers = 50;
    private const int RacedTickets = 10;

    [Fact]
    public async Task Buy_When50BuyersRaceFor10Tickets_Exactly10Win_OnePerTicket_AndTicketsOrdersPaymentsReconcile()
    {
        await using var ledger = new EventLedger(platform);
        using var seller = await User.SignUpAsync(platform, "seller");
        var tickets = new List<TicketDto>();
        for (var i = 0; i < RacedTickets; i++)
        {
            tickets.Add(await seller.SellAsync($"Race seat {i}", 50m + i));
        }

        var buyers = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => User.SignUpAsync(platform, $"racer{i}")));
        try
        {
            // orders knows every ticket before the race (TicketCreated arrived): a probe buyer orders and cancels each.
            using (var probe = await User.SignUpAsync(platform, "probe"))
            {
                foreach (var ticket in tickets)
                {
                    await probe.CancelAsync((await probe.BuyAsync(ticket.Id)).Id);
                }
            }

            // The race: buyer i wants ticket i % 10, all at once (5 buyers per ticket).
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = buyers.Select(async (buyer, i) =>
            {
                await go.Task;
                var ticket = tickets[i % RacedTickets];
                using var response = await buyer.Http.PostAsJsonAsync("/api/orders", new { ticketId = ticket.Id });
                return (Buyer: buyer, Ticket: ticket, Status: response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            }).ToList();
            go.SetResult();
            var results = await Task.WhenAll(attempts);

            var summary = string.Join("\n", results.Select(r => $"{r.Ticket.Title}: {(int)r.Status} {r.Body}"));
            foreach (var ticket in tickets)
            {
                Assert.True(results.Count(r => r.Ticket == ticket && r.Status == HttpStatusCode.Created) == 1, $"{ticket.Title}: expected exactly one 201:\n{summary}");
            }

            Assert.All(results.Where(r => r.Status != HttpStatusCode.Created), r =>
            {
                Assert.Equal(HttpStatusCode.BadRequest, r.Status);
                Assert.Contains("Ticket is already reserved", r.Body, StringComparison.Ordinal);
            });
            var winners = results.Where(r => r.Status == HttpStatusCode.Created)
                .Select(r => (r.Buyer, r.Ticket, Order: System.Text.Json.JsonSerializer.Deserialize<OrderDto>(r.Body, User.Json)!))
                .ToList();
            Assert.Equal(RacedTickets, winners.Count);

            // Every winner pays; then tickets, orders and payments agree.
            var payments = await Task.WhenAll(winners.Select(w => w.Buyer.PaidAsync(w.Order.Id)));
            foreach (var (buyer, ticket, order) in winners)
            {
                await buyer.TicketEventuallyAsync(ticket.Id, t => t.Status == "sold" && t.OrderId == order.Id, $"{ticket.Title} is sold to its winner");
                await buyer.OrderEventuallyAsync(order.Id, o => o.Status == "complete", $"{ticket.Title}'s order completes");
            }

            foreach (var loser in results.Where(r => r.Status != HttpStatusCode.Created))
            {
                Assert.Empty(await loser.Buyer.OrdersAsync());
            }

            await Reconciliation.SettleAsync(platform, ledger);
            var events = await ledger.EventsAsync();
            var ticketIds = tickets.Select(t => t.Id).ToHashSet();
            var winningOrders = winners.Select(w => w.Order.Id).ToHashSet();
            var ordersCreated = events.Where(e => e.Subject == OrderCreatedV1.Subject && ticketIds.Contains(e.TicketId ?? "")).ToList();
            var completed = events.Count(e => e.Subject == OrderCompletedV1.Subject && winningOrders.Contains(e.Field("id") ?? ""));
            var paid = events.Count(e => e.Subject == PaymentCreatedV1.Subject && winningOrders.Contains(e.Field("orderId") ?? ""));
            var sold = events.Where(e => e.Subject == TicketUpdatedV1.Subject && ticketIds.Contains(e.Field("id") ?? "") && e.Field("status") == "sold")
                .Select(e => e.Field("id")).ToList();

            // 10 probe orders (cancelled) + 10 winners; no order for a loser ever existed.
            Assert.Equal(2 * RacedTickets, ordersCreated.Count);
            Assert.Equal(RacedTickets, ordersCreated.Count(e => winningOrders.Contains(e.Field("id") ?? "")));
            Assert.Equal(RacedTickets, completed);
            Assert.Equal(RacedTickets, paid);
            Assert.Equal(RacedTickets, sold.Distinct().Count());
            Assert.Equal(RacedTickets, sold.Count);
            Assert.Equal(RacedTickets, payments.Select(p => p.Id).Distinct().Count());

            output.WriteLine($"{Racers} buyers raced for {RacedTickets} tickets (5 per ticket): {winners.Count} got 201 (one per ticket), {Racers - winners.Count} got 400 'Ticket is already reserved'.");
            output.WriteLine($"Reconciled: {sold.Count} tickets sold (one TicketUpdated 'sold' each) = {completed} orders complete (one OrderCompleted each) = {paid} payments (one PaymentCreated each); {ordersCreated.Count - RacedTickets} other OrderCreated for these tickets (the probe's, cancelled); the {Racers - winners.Count} losers have no orders.");
        }
        finally
        {
            foreach (var buyer in buyers)
            {
                buyer.Dispose();
            }
        }
    }
}
