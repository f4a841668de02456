using Ticketing.Expiration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ticketing.Expiration.Tests;

/// <summary>
/// ExpirationCompleted arrives at expiresAt, never before, although Redis keeps schedules in whole seconds and
/// Hangfire looks for due jobs once a second. Lateness (expiresAt to the moment the message reached a subscriber on
/// the NATS server) is printed, not asserted tightly: on shared CI cores it moves with the machine's load (a CI run
/// measured a 2.1 s median for 20 orders where a quiet run measures about 0.5 s), and a timed unit test that fails
/// on a busy machine is noise. The figure that counts comes from the benchmark harness (<c>bench/</c>, expiration
/// lateness for 1,000 orders). The loose bound below only catches a broken set-up: Hangfire's default 15 s
/// schedule polling makes lateness spread over 0-15 s.
/// </summary>
public sealed class TimingTests(Servers servers, ITestOutputHelper output) : IClassFixture<Servers>
{
    private static readonly TimeSpan MaxLateness = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task OrderCreated_ExpiringIn2Seconds_YieldsExactlyOneExpirationCompleted_NeverBeforeExpiresAt()
    {
        await using var app = await ExpirationApp.StartOnAsync(servers);
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);

        var order = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddSeconds(2));
        var expiry = await orders.ExpiryOfAsync(order.Id);

        var lateness = expiry.ReceivedAt - order.ExpiresAt;
        output.WriteLine($"lateness {lateness.TotalMilliseconds:0} ms");
        Assert.InRange(lateness, TimeSpan.Zero, MaxLateness);
        Assert.Equal($"expiration.completed.v1:{order.Id}", expiry.MessageId);
        // Exactly one: later orders expired too, and this one was still published once, and stored once.
        var later = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddMilliseconds(300));
        await orders.ExpiryOfAsync(later.Id);
        Assert.Single(orders.HeardFor(order.Id));
        Assert.Equal(1, await orders.StoredExpiriesOfAsync(order.Id));
    }

    [Fact]
    public async Task Lateness_Over20Orders_NeverEarly_NotSpreadLikeDefaultPolling_MedianAndMaxReported()
    {
        await using var app = await ExpirationApp.StartOnAsync(servers);
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);

        // expiresAt at every fraction of a second, so the whole-second rounding of Redis schedules matters.
        var start = DateTimeOffset.UtcNow.AddSeconds(2);
        var created = new List<Ticketing.Common.Events.OrderCreatedV1>();
        for (var i = 0; i < 20; i++)
        {
            created.Add(await orders.CreateOrderAsync(start.AddMilliseconds(i * 137)));
        }

        var lateness = new List<double>();
        foreach (var order in created)
        {
            var expiry = await orders.ExpiryOfAsync(order.Id);
            lateness.Add((expiry.ReceivedAt - order.ExpiresAt).TotalMilliseconds);
        }

        output.WriteLine($"20 orders: {Lateness.Summary(lateness)}");
        Assert.All(lateness, ms => Assert.InRange(ms, 0, MaxLateness.TotalMilliseconds));
        Assert.All(created, order => Assert.Single(orders.HeardFor(order.Id)));
    }

    [Fact]
    public async Task Burst_1000OrdersScheduledWithinSeconds_AllExpireOnceEach_NeverEarly_LatenessP99Reported()
    {
        const int count = 1000;
        await using var app = await ExpirationApp.StartOnAsync(servers);
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);

        // 1,000 orders placed within a couple of seconds, expiring over three seconds from 5 s on.
        var start = DateTimeOffset.UtcNow.AddSeconds(5);
        var placed = DateTimeOffset.UtcNow;
        var created = await Task.WhenAll(Enumerable.Range(0, count).Select(i => orders.CreateOrderAsync(start.AddMilliseconds(i * 3))));
        output.WriteLine($"published {count} OrderCreated in {(DateTimeOffset.UtcNow - placed).TotalMilliseconds:0} ms");

        await Ticketing.Common.Testing.Eventually.TrueAsync(
            () => orders.Heard.Select(e => e.OrderId).Distinct().Count() >= count,
            $"{count} ExpirationCompleted", TimeSpan.FromSeconds(60));

        var heard = orders.Heard.ToLookup(e => e.OrderId);
        Assert.All(created, order => Assert.Single(heard[order.Id]));
        var lateness = created.Select(order => (heard[order.Id].Single().ReceivedAt - order.ExpiresAt).TotalMilliseconds).ToList();
        output.WriteLine($"{count} orders: {Lateness.Summary(lateness)}");
        Assert.All(lateness, ms => Assert.True(ms >= 0, $"an expiration arrived {-ms:0} ms before expiresAt"));
        // Reported, not a target: on 2 shared cores it moves with the machine's load (1.3-2.7 s p99 measured quietly,
        // up to ~5 s at a load average of 30). This bound only catches a broken set-up (Hangfire's 15 s default polling).
        Assert.True(Lateness.Percentile(lateness, 99) < 10_000, $"p99 lateness {Lateness.Percentile(lateness, 99):0} ms");
    }
}
