using Ticketing.Expiration.Tests.Infrastructure;

namespace Ticketing.Expiration.Tests;

/// <summary>
/// Each order expires once: a redelivered OrderCreated schedules nothing new, and instances sharing Redis run each job
/// once. "Once" is counted as publishes seen on the NATS server (a core subscriber also sees a duplicate publish the
/// stream drops), so the stream's de-duplication cannot hide a second run.
/// </summary>
public sealed class OnceTests(Servers servers) : IClassFixture<Servers>
{
    [Fact]
    public async Task OrderCreated_DeliveredTwice_YieldsOneExpirationCompleted_AndOneJob()
    {
        await using var app = await ExpirationApp.StartOnAsync(servers);
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);

        // Two copies with different message ids, so the stream keeps both and the service gets both.
        var order = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddSeconds(2), messageId: "first-copy-" + Guid.NewGuid());
        await orders.PublishAsync(order, messageId: "second-copy-" + Guid.NewGuid());
        var sentinel = await orders.CreateOrderAsync(order.ExpiresAt.AddMilliseconds(500));

        await orders.ExpiryOfAsync(sentinel.Id);
        Assert.Single(orders.HeardFor(order.Id));
        Assert.Equal(1, await orders.StoredExpiriesOfAsync(order.Id));
        // The sentinel's job is marked Succeeded just after it publishes: wait for both marks, then there must be no third.
        await Ticketing.Common.Testing.Eventually.TrueAsync(() => app.Monitoring.SucceededListCount() >= 2, "both jobs to succeed");
        Assert.Equal(2, app.Monitoring.SucceededListCount()); // the order's job and the sentinel's: no second job
    }

    [Fact]
    public async Task TwoInstancesSharingRedis_RunEachJobOnce()
    {
        const int count = 100;
        var prefix = ExpirationApp.NewPrefix();
        await using var first = await ExpirationApp.StartOnAsync(servers, prefix);
        await using var second = await ExpirationApp.StartOnAsync(servers, prefix);
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);
        Assert.Equal(2, first.Monitoring.Servers().Count);

        var start = DateTimeOffset.UtcNow.AddSeconds(2);
        var created = await Task.WhenAll(Enumerable.Range(0, count).Select(i => orders.CreateOrderAsync(start.AddMilliseconds(i * 10))));

        await Ticketing.Common.Testing.Eventually.TrueAsync(
            () => orders.Heard.Select(e => e.OrderId).Distinct().Count() >= count, $"{count} ExpirationCompleted", TimeSpan.FromSeconds(30));
        var sentinel = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddMilliseconds(500));
        await orders.ExpiryOfAsync(sentinel.Id);

        var heard = orders.Heard.ToLookup(e => e.OrderId);
        Assert.All(created, order => Assert.Single(heard[order.Id]));
        await Ticketing.Common.Testing.Eventually.TrueAsync(() => first.Monitoring.SucceededListCount() >= count + 1, "every job to succeed");
        Assert.Equal(count + 1, first.Monitoring.SucceededListCount());
    }
}
