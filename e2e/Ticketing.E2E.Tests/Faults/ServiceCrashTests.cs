using System.Diagnostics;
using Ticketing.Common.Testing;
using Ticketing.E2E.Tests.Platform;
using Xunit.Abstractions;

namespace Ticketing.E2E.Tests.Faults;

/// <summary>
/// Each service killed (SIGKILL, no graceful shutdown) in the middle of purchases and started again: no request gets
/// a 500 (the gateway answers 503 while a service is down), no event is lost or applied twice, nothing stays in an
/// outbox, and every order ends complete.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ServiceCrashTests(PlatformFixture platform, ITestOutputHelper output)
{
    private const int Workers = 3;

    [SkippableFact]
    public async Task EachService_WhenKilledMidFlowAndRestarted_LosesAndDuplicatesNothing()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "kills service processes through their pids");
        await using var ledger = new EventLedger(platform);
        var deadLettersBefore = (await ledger.DeadLettersAsync()).Count;
        await using var load = new PurchaseLoad(platform, "service-crash");
        try
        {
            load.Start(Workers);
            foreach (var service in new[] { "tickets", "orders", "payments", "expiration", "auth" })
            {
                await load.WaitForPurchasesAsync(load.Purchases.Count, 2, $"before {service} is killed");
                var clock = Stopwatch.StartNew();
                var attemptsAtKill = load.Attempts;
                var pid = await platform.KillAsync(service);
                if (service != "expiration")
                {
                    // expiration has no routes; the others: keep it down until requests have met the outage.
                    await Eventually.TrueAsync(() => load.Attempts >= attemptsAtKill + Workers, $"requests while {service} is down", TimeSpan.FromSeconds(60));
                }

                await platform.StartAsync(service);
                output.WriteLine($"Killed {service} (pid {pid}, SIGKILL) mid-flow: {load.Attempts - attemptsAtKill} requests while it was down; ready again after {clock.Elapsed.TotalSeconds:0.0} s.");
            }

            await load.WaitForPurchasesAsync(load.Purchases.Count, Workers, "after the last restart");
            await load.StopAsync();
        }
        finally
        {
            await platform.StartWhateverStoppedAsync();
        }

        await Reconciliation.PurchasesAsync(platform, ledger, load, deadLettersBefore, output);
    }
}
