using System.Diagnostics;
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
        try
        {
            load.Start(Workers);
            await load.WaitForPurchasesAsync(0, Workers, "before the outage");

            var clock = Stopwatch.StartNew();
            var pid = await platform.KillAsync("nats");
            var attemptsAtKill = load.Attempts;
            var purchasesAtKill = load.Purchases.Count;
            // Keep it down until the buyers and sellers have really run into it.
            await Eventually.TrueAsync(() => load.Attempts >= attemptsAtKill + 3 * Workers, "requests while nats-server is down", TimeSpan.FromSeconds(60));
            var attemptsDuringOutage = load.Attempts - attemptsAtKill;
            await platform.StartAsync("nats");
            var outage = clock.Elapsed;
            output.WriteLine($"Killed nats-server (pid {pid}, SIGKILL) after {purchasesAtKill} purchases; {attemptsDuringOutage} requests were sent while it was down; it was back (healthy) after {outage.TotalSeconds:0.0} s.");

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

        await Reconciliation.PurchasesAsync(platform, ledger, load, deadLettersBefore, output);
    }
}
