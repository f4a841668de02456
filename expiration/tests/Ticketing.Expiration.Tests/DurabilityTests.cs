using Ticketing.Expiration.Tests.Infrastructure;

namespace Ticketing.Expiration.Tests;

/// <summary>Scheduled jobs live in Redis: they survive a restart of the service, and of Redis (append-only file on).</summary>
public sealed class DurabilityTests(Servers servers) : IClassFixture<Servers>
{
    [Fact]
    public async Task AJobScheduledBeforeTheServiceRestarts_FiresAfterIt_Once()
    {
        var prefix = ExpirationApp.NewPrefix();
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);
        Ticketing.Common.Events.OrderCreatedV1 order;
        await using (var before = await ExpirationApp.StartOnAsync(servers, prefix))
        {
            order = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddSeconds(3));
            await before.JobOfAsync(order.Id);
        }

        Assert.Empty(orders.HeardFor(order.Id)); // the first instance is gone before the order expires
        await using var after = await ExpirationApp.StartOnAsync(servers, prefix);

        var expiry = await orders.ExpiryOfAsync(order.Id);
        Assert.True(expiry.ReceivedAt >= order.ExpiresAt, $"fired {(order.ExpiresAt - expiry.ReceivedAt).TotalMilliseconds:0} ms early");
        await AssertOnceAsync(orders, order.Id);
    }

    [Fact]
    public async Task AJobScheduledBeforeRedisRestarts_FiresAfterIt_Once()
    {
        await using var app = await ExpirationApp.StartOnAsync(servers);
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);
        var order = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddSeconds(3));
        var jobId = await app.JobOfAsync(order.Id);

        await servers.Redis.StopAsync();  // SIGTERM: Redis writes its append-only file and exits
        await servers.Redis.StartAsync(); // same port, same data folder

        var expiry = await orders.ExpiryOfAsync(order.Id, TimeSpan.FromSeconds(30));
        Assert.True(expiry.ReceivedAt >= order.ExpiresAt, $"fired {(order.ExpiresAt - expiry.ReceivedAt).TotalMilliseconds:0} ms early");
        // Hangfire records Succeeded after the job returns, which is after its event went out.
        await app.WaitAsync(() => Task.FromResult(app.StateOf(jobId) == "Succeeded"), $"job {jobId} to be recorded as succeeded");
        await AssertOnceAsync(orders, order.Id);
    }

    private static async Task AssertOnceAsync(OrdersSide orders, string orderId)
    {
        var sentinel = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddMilliseconds(500));
        await orders.ExpiryOfAsync(sentinel.Id);
        Assert.Single(orders.HeardFor(orderId));
        Assert.Equal(1, await orders.StoredExpiriesOfAsync(orderId));
    }
}
