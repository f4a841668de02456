using Microsoft.Extensions.DependencyInjection;
using Ticketing.Expiration.Tests.Infrastructure;

namespace Ticketing.Expiration.Tests;

/// <summary>
/// The job never publishes before expiresAt by the service's own clock (<see cref="TimeProvider"/>), whatever Hangfire's
/// schedule (whole seconds, Redis's clock) says: a little early it waits in place, far too early it schedules itself again.
/// </summary>
public sealed class EarlyStartTests(Servers servers) : IClassFixture<Servers>
{
    [Fact]
    public async Task AJobStartedFarTooEarlyByTheServicesClock_SchedulesItselfAgain_AndPublishesOnlyAtExpiresAtByThatClock()
    {
        // The service's clock is 3 s behind Redis's, which decides when Hangfire starts the job.
        var behind = TimeSpan.FromSeconds(3);
        await using var app = await ExpirationApp.StartOnAsync(servers, services: services => services.AddSingleton<TimeProvider>(new OffsetClock(-behind)));
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);

        var order = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddSeconds(1));
        var jobId = await app.JobOfAsync(order.Id);
        var expiry = await orders.ExpiryOfAsync(order.Id, TimeSpan.FromSeconds(30));

        Assert.True(expiry.ReceivedAt - behind >= order.ExpiresAt,
            $"published {(order.ExpiresAt - (expiry.ReceivedAt - behind)).TotalMilliseconds:0} ms before expiresAt by the service's clock");
        var history = app.Monitoring.JobDetails(jobId).History;
        Assert.Contains(history, h => h.StateName == "Scheduled" && h.Reason?.StartsWith("Started", StringComparison.Ordinal) == true);
        Assert.Equal("Succeeded", history[0].StateName);
        Assert.Single(orders.HeardFor(order.Id));
    }

    private sealed class OffsetClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
