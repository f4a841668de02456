using Ticketing.Common.Testing;
using Ticketing.Expiration.Tests.Infrastructure;

namespace Ticketing.Expiration.Tests;

/// <summary>
/// Redis down is a dependency outage, not a bad message (decision 0009): an order event that arrives meanwhile is held
/// and tried again until Redis answers, never counted toward NATS_MAX_DELIVER and parked, which would leave the order
/// without an expiration job (reserved until its buyer acts). Found by the e2e fault suite's Redis scenario.
/// </summary>
public sealed class RedisOutageTests(Servers servers) : IClassFixture<Servers>
{
    [Fact]
    public async Task OrderEvents_WhileRedisIsDown_AreHeldNotParked_AndHandledOnceRedisIsBack()
    {
        var logs = new CapturedLogs();
        await using var app = ExpirationApp.On(servers, settings: new Dictionary<string, string?>
        {
            ["NATS_MAX_DELIVER"] = "2",
            ["NATS_RETRY_DELAY_MS"] = "50",
            ["NATS_MAX_RETRY_DELAY_MS"] = "200",
            ["Logging:LogLevel:Ticketing.Common.Messaging"] = "Debug",
        });
        app.Logs = logs;
        await app.StartAsync();
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);
        var cancelled = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddMinutes(10));
        await app.JobOfAsync(cancelled.Id);

        Ticketing.Common.Events.OrderCreatedV1 order;
        await servers.Redis.StopAsync();
        try
        {
            order = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddSeconds(2));
            await orders.CancelOrderAsync(cancelled.Id);
            // Both consumers pause on the outage and try again more often than NATS_MAX_DELIVER (2) allows deliveries;
            // or one parks its event (the defect).
            int Count(string text) => logs.Entries.Count(e => e.Contains(text, StringComparison.Ordinal));
            await Eventually.TrueAsync(
                async () => (Count("pauses: a dependency is unavailable") >= 2 && Count("still waiting for a dependency") >= 2)
                    || (await app.Events.ParkedAsync()).Count > 0,
                "the consumers to wait for Redis", TimeSpan.FromSeconds(60));
            Assert.Empty(await app.Events.ParkedAsync());
        }
        finally
        {
            await servers.Redis.StartAsync();
        }

        // The Redis client reconnects with its own backoff: allow it time on a loaded machine.
        var afterRedis = TimeSpan.FromSeconds(60);
        await app.WaitForValueAsync(async () => (await app.Map.GetAsync(order.Id))?.JobId, $"a job for order {order.Id}", afterRedis);
        await orders.ExpiryOfAsync(order.Id, afterRedis);
        await app.WaitAsync(async () => await app.Map.GetAsync(cancelled.Id) is { IsOutcome: true }, "the cancellation to be recorded", afterRedis);
        Assert.Empty(await app.Events.ParkedAsync());
        Assert.Single(orders.HeardFor(order.Id));
        Assert.Empty(orders.HeardFor(cancelled.Id));
    }
}
