using Ticketing.Common.Events;
using Ticketing.Common.Testing;
using Ticketing.E2E.Tests.Platform;
using Xunit.Abstractions;

namespace Ticketing.E2E.Tests.Faults;

/// <summary>
/// Counts what the platform did with a set of purchases and asserts that every effect happened exactly once: the
/// services' state through the gateway, each event on the stream, the services' consumers (nothing pending) and
/// outboxes (nothing left), and the dead-letter stream (nothing parked).
/// </summary>
public static class Reconciliation
{
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(120);

    /// <summary>The services whose writes publish through an outbox.</summary>
    public static readonly string[] OutboxServices = ["auth", "tickets", "orders", "payments"];

    /// <summary>Events on the stream, by the id they are about (the <c>id</c> field, or <c>orderId</c> for events about an order).</summary>
    public sealed class EventCounts(IReadOnlyList<StreamMessage> events)
    {
        public IReadOnlyList<StreamMessage> About(string subject, string id, string field = "id") =>
            [.. events.Where(e => e.Subject == subject && e.Field(field) == id)];

        public int Count(string subject, string id, string field = "id") => About(subject, id, field).Count;

        public IReadOnlyList<long> Versions(string subject, string id) =>
            [.. About(subject, id).Select(e => e.Version ?? -1).Order()];
    }

    /// <summary>Waits until every durable consumer has handled everything and every outbox is empty; returns how long that took.</summary>
    public static async Task<TimeSpan> SettleAsync(PlatformFixture platform, EventLedger ledger)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await Eventually.TrueAsync(ledger.EveryConsumerDrainedAsync, "every service's consumers to handle everything on the stream", SettleTimeout);
            await Eventually.TrueAsync(
                async () =>
                {
                    foreach (var service in OutboxServices)
                    {
                        if (await platform.ReadinessCheckAsync(service, "outbox") is { } outbox && outbox != "empty")
                        {
                            return false;
                        }
                    }

                    return true;
                },
                "every outbox to be empty", SettleTimeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{await ledger.DescribeConsumersAsync()}", e);
        }

        return started.Elapsed;
    }

    /// <summary>
    /// Every purchase: its ticket sold to its order (version 2: reserved, then sold, each once), its order complete
    /// (version 1) with the replica of its ticket at version 2; on the stream exactly one TicketCreated, one
    /// TicketUpdated v1 and v2, one OrderCreated, one PaymentCreated, one OrderCompleted, and no cancellation, expiry
    /// or refund; no new dead letter; no 500.
    /// </summary>
    public static async Task PurchasesAsync(
        PlatformFixture platform, EventLedger ledger, PurchaseLoad load, int deadLettersBefore, ITestOutputHelper output, IEnumerable<Purchase>? more = null)
    {
        var purchases = load.Purchases.Concat(more ?? []).OrderBy(p => p.Number).ToList();
        Assert.Empty(load.Unexpected);
        var settled = await SettleAsync(platform, ledger);

        using var visitor = User.Anonymous(platform);
        var problems = new List<string>();
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    problems.Clear();
                    foreach (var p in purchases)
                    {
                        var ticket = await visitor.TicketAsync(p.TicketId);
                        if (ticket is not { Status: "sold", Version: 2 } || ticket.OrderId != p.OrderId)
                        {
                            problems.Add($"ticket {p.TicketId}: {ticket}");
                        }

                        var order = await p.Buyer.OrderAsync(p.OrderId);
                        if (order is not { Status: "complete", Version: 1, Ticket.Version: 2 })
                        {
                            problems.Add($"order {p.OrderId}: {order}");
                        }
                    }

                    return problems.Count == 0;
                },
                "every ticket sold and every order complete", SettleTimeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{string.Join("\n", problems)}", e);
        }

        var events = new EventCounts(await ledger.EventsAsync());
        foreach (var p in purchases)
        {
            var which = $"purchase #{p.Number} (ticket {p.TicketId}, order {p.OrderId})";
            Assert.True(events.Count(TicketCreatedV1.Subject, p.TicketId) == 1, $"{which}: TicketCreated {events.Count(TicketCreatedV1.Subject, p.TicketId)} times");
            Assert.True(events.Versions(TicketUpdatedV1.Subject, p.TicketId).SequenceEqual([1L, 2L]), $"{which}: TicketUpdated versions {string.Join(",", events.Versions(TicketUpdatedV1.Subject, p.TicketId))}");
            Assert.True(events.Count(OrderCreatedV1.Subject, p.OrderId) == 1, $"{which}: OrderCreated {events.Count(OrderCreatedV1.Subject, p.OrderId)} times");
            Assert.True(events.Count(PaymentCreatedV1.Subject, p.OrderId, "orderId") == 1, $"{which}: PaymentCreated {events.Count(PaymentCreatedV1.Subject, p.OrderId, "orderId")} times");
            Assert.True(events.Count(OrderCompletedV1.Subject, p.OrderId) == 1, $"{which}: OrderCompleted {events.Count(OrderCompletedV1.Subject, p.OrderId)} times");
            Assert.Equal(0, events.Count(OrderCancelledV1.Subject, p.OrderId));
            Assert.Equal(0, events.Count(ExpirationCompletedV1.Subject, p.OrderId, "orderId"));
            Assert.Equal(0, events.Count(OrderRefundRequestedV1.Subject, p.OrderId, "orderId"));
        }

        var deadLetters = await ledger.DeadLettersAsync();
        Assert.True(deadLetters.Count == deadLettersBefore,
            $"messages were parked during the scenario:\n{string.Join("\n", deadLetters.Skip(deadLettersBefore).Select(d => $"{d.Subject}: {d.Header("Ticketing-Parked-Reason")}"))}");

        var n = purchases.Count;
        output.WriteLine($"Reconciled {n} purchases (settled {settled.TotalSeconds:0.0} s after the load stopped):");
        output.WriteLine($"  tickets: {n} sold, each at version 2 (reserved once, sold once)");
        output.WriteLine($"  orders: {n} complete at version 1, each with its ticket replica at version 2");
        output.WriteLine($"  stream: {n} TicketCreated, {2 * n} TicketUpdated (v1, v2), {n} OrderCreated, {n} PaymentCreated, {n} OrderCompleted; 0 OrderCancelled, 0 ExpirationCompleted, 0 refunds");
        output.WriteLine($"  consumers: all drained; outboxes: all empty; dead letters: +0; 500s: 0");
        output.WriteLine("HTTP answers during the scenario:");
        output.WriteLine(load.DescribeAnswers());
    }
}
