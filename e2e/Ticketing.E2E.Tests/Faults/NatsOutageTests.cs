using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Ticketing.Common.Testing;
using Ticketing.E2E.Tests.Platform;
using Xunit.Abstractions;

namespace Ticketing.E2E.Tests.Faults;

/// <summary>
/// nats-server killed (SIGKILL) while tickets, orders and payments are being created, then started again: requests
/// during the outage succeed (their outbox publishes later) or get a clear 503, never a 500, and once NATS is back
/// every effect arrives exactly once (tickets → orders' replica, orders → tickets/payments/expiration,
/// payments → orders).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class NatsOutageTests(PlatformFixture platform, ITestOutputHelper output)
{
    private const int Workers = 4;

    [SkippableFact]
    public async Task NatsServer_WhenKilledDuringPurchases_EveryEffectArrivesExactlyOnce_AndNoRequestGets500()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "kills nats-server through its pid");
        await using var ledger = new EventLedger(platform);
        var deadLettersBefore = (await ledger.DeadLettersAsync()).Count;
        await using var load = new PurchaseLoad(platform, "nats-outage");

        // One write of each kind must happen while NATS is down: a ticket; an order for a ticket orders already knows;
        // a payment for an order payments already knows.
        using var seller = await User.SignUpAsync(platform, "outage-seller");
        using var orderer = await User.SignUpAsync(platform, "outage-orderer");
        using var payer = await User.SignUpAsync(platform, "outage-payer");
        using var lateBuyer = await User.SignUpAsync(platform, "outage-late-buyer");
        var toOrder = await seller.SellAsync("Ordered while NATS is down", 31m);
        var toPay = await seller.SellAsync("Paid while NATS is down", 32m);
        var orderToPay = await payer.BuyAsync(toPay.Id);
        await Eventually.TrueAsync(ledger.EveryConsumerDrainedAsync, "orders and payments to know the ticket and the order");

        var duringOutage = new List<string>();
        TicketDto? soldDuringOutage = null;
        OrderDto? orderedDuringOutage = null;
        var paidDuringOutage = false;
        try
        {
            load.Start(Workers);
            await load.WaitForPurchasesAsync(0, Workers, "before the outage");

            var clock = Stopwatch.StartNew();
            var pid = await platform.KillAsync("nats");
            var attemptsAtKill = load.Attempts;
            var purchasesAtKill = load.Purchases.Count;

            async Task<HttpStatusCode> WhileDownAsync(User user, string path, object body, Action<string> created)
            {
                var started = Stopwatch.StartNew();
                using var response = await user.Http.PostAsJsonAsync(path, body);
                var text = await response.Content.ReadAsStringAsync();
                duringOutage.Add($"POST {path}: {(int)response.StatusCode} in {started.Elapsed.TotalSeconds:0.0} s");
                Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable, $"POST {path} while NATS is down: {(int)response.StatusCode} {text}");
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    created(text);
                }

                return response.StatusCode;
            }

            await Task.WhenAll(
                WhileDownAsync(seller, "/api/tickets", new { title = "Sold while NATS is down", price = 33m },
                    text => soldDuringOutage = System.Text.Json.JsonSerializer.Deserialize<TicketDto>(text, User.Json)),
                WhileDownAsync(orderer, "/api/orders", new { ticketId = toOrder.Id },
                    text => orderedDuringOutage = System.Text.Json.JsonSerializer.Deserialize<OrderDto>(text, User.Json)),
                WhileDownAsync(payer, "/api/payments", new { orderId = orderToPay.Id, token = "tok_visa" }, _ => paidDuringOutage = true));
            // And the load has run into it too.
            await Eventually.TrueAsync(() => load.Attempts >= attemptsAtKill + 3 * Workers, "the load's requests while nats-server is down", TimeSpan.FromSeconds(60));
            var attemptsDuringOutage = load.Attempts - attemptsAtKill;
            await platform.StartAsync("nats");
            var outage = clock.Elapsed;
            output.WriteLine($"Killed nats-server (pid {pid}, SIGKILL) after {purchasesAtKill} purchases; it was back (healthy) after {outage.TotalSeconds:0.0} s.");
            output.WriteLine($"While it was down: {string.Join("; ", duringOutage)}; and {attemptsDuringOutage} requests of the load.");

            var back = Stopwatch.StartNew();
            var purchasesAtRestart = load.Purchases.Count;
            await load.WaitForPurchasesAsync(purchasesAtRestart, 1, "after nats-server is back");
            var firstPurchase = back.Elapsed;
            await load.WaitForPurchasesAsync(purchasesAtRestart, Workers, "after nats-server is back");
            await load.StopAsync();
            var settled = await Reconciliation.SettleAsync(platform, ledger);
            output.WriteLine($"Recovery: the first purchase completed {firstPurchase.TotalSeconds:0.0} s after nats-server was back; every consumer and outbox had caught up {back.Elapsed.TotalSeconds:0.0} s after it was back ({settled.TotalSeconds:0.0} s after the load stopped).");
        }
        finally
        {
            await platform.StartWhateverStoppedAsync();
        }

        // What was refused (503) is done again now; what was accepted completes through the events its outbox held.
        soldDuringOutage ??= await seller.SellAsync("Sold after NATS is back", 33m);
        orderedDuringOutage ??= await orderer.BuyAsync(toOrder.Id);
        var lateOrder = await lateBuyer.BuyAsync(soldDuringOutage.Id);
        await orderer.PaidAsync(orderedDuringOutage.Id);
        await lateBuyer.PaidAsync(lateOrder.Id);
        if (!paidDuringOutage)
        {
            await payer.PaidAsync(orderToPay.Id);
        }

        Purchase[] writtenDuringOutage =
        [
            new(-3, soldDuringOutage.Id, lateOrder.Id, lateBuyer, DateTimeOffset.UtcNow),
            new(-2, toOrder.Id, orderedDuringOutage.Id, orderer, DateTimeOffset.UtcNow),
            new(-1, toPay.Id, orderToPay.Id, payer, DateTimeOffset.UtcNow),
        ];
        await Reconciliation.PurchasesAsync(platform, ledger, load, deadLettersBefore, output, writtenDuringOutage);
    }
}
