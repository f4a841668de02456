using Ticketing.Expiration.Data;
using Ticketing.Expiration.Tests.Infrastructure;

namespace Ticketing.Expiration.Tests;

/// <summary>
/// A cancelled or completed order's job is deleted and never fires, whichever order the events arrive in. "Never" is
/// checked without sleeping: an order expiring shortly after the one that must not fire is waited for instead.
/// </summary>
public sealed class CancellationTests(Servers servers) : IClassFixture<Servers>
{
    [Fact]
    public async Task OrderCancelled_BeforeExpiry_DeletesTheJob_WhichNeverFires()
    {
        await using var app = await ExpirationApp.StartOnAsync(servers);
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);
        var order = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddSeconds(2));
        var jobId = await app.JobOfAsync(order.Id);

        await orders.CancelOrderAsync(order.Id);

        await Ticketing.Common.Testing.Eventually.TrueAsync(() => app.StateOf(jobId) == "Deleted", "the job to be deleted");
        await AssertNeverFiresAsync(orders, order.Id, order.ExpiresAt);
        Assert.Equal(OrderJobEntry.Cancelled, (await app.Map.GetAsync(order.Id))?.Value);
    }

    [Fact]
    public async Task OrderCompleted_BeforeExpiry_DeletesTheJob_WhichNeverFires()
    {
        await using var app = await ExpirationApp.StartOnAsync(servers);
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);
        var order = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddSeconds(2));
        var jobId = await app.JobOfAsync(order.Id);

        await orders.CompleteOrderAsync(order.Id);

        await Ticketing.Common.Testing.Eventually.TrueAsync(() => app.StateOf(jobId) == "Deleted", "the job to be deleted");
        await AssertNeverFiresAsync(orders, order.Id, order.ExpiresAt);
        Assert.Equal(OrderJobEntry.Completed, (await app.Map.GetAsync(order.Id))?.Value);
    }

    [Fact]
    public async Task OrderCancelled_ArrivingBeforeOrderCreated_NothingIsScheduled()
    {
        await using var app = await ExpirationApp.StartOnAsync(servers);
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);
        var orderId = Ticketing.Common.Storage.DocumentIds.New();

        // Events on different subjects arrive in any order.
        await orders.CancelOrderAsync(orderId);
        await Ticketing.Common.Testing.Eventually.ValueAsync(async () => (await app.Map.GetAsync(orderId))?.Value, "the cancellation to be remembered");
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(1);
        await orders.PublishAsync(new Ticketing.Common.Events.OrderCreatedV1(orderId, 0, Ticketing.Common.Events.OrderStatus.Created,
            "user", expiresAt, new Ticketing.Common.Events.OrderTicketV1("ticket", 5m)));

        await AssertNeverFiresAsync(orders, orderId, expiresAt);
        Assert.Equal(OrderJobEntry.Cancelled, (await app.Map.GetAsync(orderId))?.Value);
        Assert.Equal(0, app.Monitoring.ScheduledCount());
    }

    [Fact]
    public async Task AJobThatRunsAfterItsOrderWasCancelled_PublishesNothing()
    {
        // The deletion can come too late (the job already started): the job itself sees the outcome.
        await using var app = await ExpirationApp.StartOnAsync(servers);
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);
        // 3 s, not 1: the job id must be read from the map before the job runs and replaces it (a loaded CI machine missed 1 s).
        var order = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddSeconds(3));
        var jobId = await app.JobOfAsync(order.Id);
        await app.Map.SetOutcomeAsync(order.Id, OrderJobEntry.Cancelled); // the cancellation's first step, without the deletion

        await Ticketing.Common.Testing.Eventually.TrueAsync(() => app.StateOf(jobId) == "Succeeded", "the job to run");
        await AssertNeverFiresAsync(orders, order.Id, order.ExpiresAt);
    }

    /// <summary>Waits until an order expiring after <paramref name="expiresAt"/> has expired, then checks the order never did.</summary>
    private static async Task AssertNeverFiresAsync(OrdersSide orders, string orderId, DateTimeOffset expiresAt)
    {
        var later = DateTimeOffset.UtcNow > expiresAt ? DateTimeOffset.UtcNow : expiresAt;
        var sentinel = await orders.CreateOrderAsync(later.AddMilliseconds(500));
        await orders.ExpiryOfAsync(sentinel.Id);
        Assert.Empty(orders.HeardFor(orderId));
        Assert.Equal(0, await orders.StoredExpiriesOfAsync(orderId));
    }
}
