using System.Diagnostics;
using Ticketing.Common.Events;
using Ticketing.Common.Testing;
using Ticketing.E2E.Tests.Platform;
using Xunit.Abstractions;

namespace Ticketing.E2E.Tests.Faults;

/// <summary>
/// redis-server killed (SIGKILL) while orders wait to expire, some placed while it is down, then started again: the
/// expiration jobs survive in its append-only file, and every order still expires exactly once (one
/// ExpirationCompleted, one OrderCancelled, its ticket released once).
/// </summary>
[Collection(ShortWindowCollection.Name)]
public sealed class RedisRestartTests(ShortWindowPlatformFixture platform, ITestOutputHelper output)
{
    private const int PlacedBefore = 6;
    private const int PlacedDuring = 2;

    [SkippableFact]
    public async Task Redis_WhenKilledWithOrdersPending_EveryOrderStillExpiresExactlyOnce()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "kills redis-server through its pid");
        await using var ledger = new EventLedger(platform);
        var deadLettersBefore = (await ledger.DeadLettersAsync()).Count;
        using var seller = await User.SignUpAsync(platform, "seller");
        var buyers = new List<User>();
        var placed = new List<(TicketDto Ticket, OrderDto Order, User Buyer)>();
        try
        {
            placed.AddRange(await PlaceAsync(seller, buyers, PlacedBefore));
            // The jobs are in Redis once expiration has handled every OrderCreated.
            await Eventually.TrueAsync(
                async () => (await ledger.ConsumersAsync()).Single(c => c.Name == "expiration-order-created-v1") is { NumPending: 0, NumAckPending: 0 },
                "expiration to schedule every order's job");

            var clock = Stopwatch.StartNew();
            DateTimeOffset killedAt;
            try
            {
                var pid = await platform.KillAsync("redis");
                killedAt = DateTimeOffset.UtcNow;
                // Orders placed while Redis is down: expiration cannot schedule them until it is back.
                placed.AddRange(await PlaceAsync(seller, buyers, PlacedDuring));
                await platform.StartAsync("redis");
                output.WriteLine($"Killed redis-server (pid {pid}, SIGKILL) with {PlacedBefore} orders waiting to expire, placed {PlacedDuring} more while it was down; it was back after {clock.Elapsed.TotalSeconds:0.0} s.");
            }
            finally
            {
                await platform.StartWhateverStoppedAsync();
            }

            var firstExpiry = placed.Min(p => p.Order.ExpiresAt);
            output.WriteLine(killedAt < firstExpiry
                ? $"Redis went down {(firstExpiry - killedAt).TotalSeconds:0.0} s before the first order was due."
                : "Redis went down after the first order was due (a slow machine): the jobs still had to survive the restart.");

            // Every order expires: cancelled, its ticket available again.
            await Eventually.TrueAsync(
                async () =>
                {
                    foreach (var (ticket, order, buyer) in placed)
                    {
                        if ((await buyer.OrderAsync(order.Id)).Status != "cancelled" || (await seller.TicketAsync(ticket.Id)).Status != "available")
                        {
                            return false;
                        }
                    }

                    return true;
                },
                "every order to expire and its ticket to be released", ShortWindowPlatformFixture.Window + TimeSpan.FromSeconds(90));
            await Reconciliation.SettleAsync(platform, ledger);

            var events = new Reconciliation.EventCounts(await ledger.EventsAsync());
            foreach (var (ticket, order, buyer) in placed)
            {
                var seen = await buyer.OrderAsync(order.Id);
                Assert.Equal(("cancelled", 1L), (seen.Status, seen.Version));
                var released = await seller.TicketAsync(ticket.Id);
                Assert.Equal(("available", 2L, (string?)null), (released.Status, released.Version, released.OrderId));
                Assert.Equal(1, events.Count(ExpirationCompletedV1.Subject, order.Id, "orderId"));
                Assert.Equal(1, events.Count(OrderCancelledV1.Subject, order.Id));
                Assert.Equal([1L, 2L], events.Versions(TicketUpdatedV1.Subject, ticket.Id));
                Assert.Equal(0, events.Count(OrderCompletedV1.Subject, order.Id));
            }

            Assert.Equal(deadLettersBefore, (await ledger.DeadLettersAsync()).Count);
            var n = placed.Count;
            output.WriteLine($"Reconciled {n} orders: {n} ExpirationCompleted (one each), {n} orders cancelled at version 1, {n} OrderCancelled, {n} tickets released at version 2 (reserved once, released once); 0 completed; dead letters +0; consumers drained, outboxes empty.");
        }
        finally
        {
            foreach (var buyer in buyers)
            {
                buyer.Dispose();
            }
        }
    }

    private async Task<List<(TicketDto, OrderDto, User)>> PlaceAsync(User seller, List<User> buyers, int count)
    {
        var placed = new List<(TicketDto, OrderDto, User)>();
        for (var i = 0; i < count; i++)
        {
            var buyer = await User.SignUpAsync(platform, "buyer");
            buyers.Add(buyer);
            var ticket = await seller.SellAsync($"Expires with Redis down #{buyers.Count}", 20m);
            placed.Add((ticket, await buyer.BuyAsync(ticket.Id), buyer));
        }

        return placed;
    }
}
