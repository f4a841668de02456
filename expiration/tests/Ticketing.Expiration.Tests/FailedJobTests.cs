using Microsoft.Extensions.DependencyInjection;
using Ticketing.Common.Messaging;
using Ticketing.Common.Outbox;
using Ticketing.Common.Testing;
using Ticketing.Expiration.Tests.Infrastructure;

namespace Ticketing.Expiration.Tests;

/// <summary>A job that cannot publish is retried a bounded number of times, then left failed: logged and in the dashboard's Failed list.</summary>
public sealed class FailedJobTests(Servers servers) : IClassFixture<Servers>
{
    [Fact]
    public async Task AJobWhoseEveryAttemptFails_IsRetriedThenLeftFailed_AndLoggedAsAnError()
    {
        var logs = new CapturedLogs();
        var publisher = new FailingPublisher();
        await using var app = ExpirationApp.On(servers, settings: new Dictionary<string, string?>
        {
            ["EXPIRATION_JOB_ATTEMPTS"] = "3",
            ["EXPIRATION_JOB_RETRY_DELAY_SECONDS"] = "0",
        }, services: services => services.AddSingleton<IEventPublisher>(publisher));
        app.Logs = logs;
        await app.StartAsync();
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);

        var order = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddMilliseconds(500));
        var jobId = await app.JobOfAsync(order.Id);

        await Eventually.TrueAsync(() => app.StateOf(jobId) == "Failed", "the job to be left failed");
        Assert.Equal(3, publisher.Attempts);
        Assert.Equal(1, app.Monitoring.FailedCount());
        Assert.Contains(jobId, app.Monitoring.FailedJobs(0, 10).Select(j => j.Key));
        Assert.Contains(logs.Entries, line => line.StartsWith("Error ", StringComparison.Ordinal) && line.Contains(order.Id, StringComparison.Ordinal) && line.Contains("failed for good", StringComparison.Ordinal));
    }

    private sealed class FailingPublisher : IEventPublisher
    {
        private int _attempts;

        public int Attempts => _attempts;

        public Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _attempts);
            throw new InvalidOperationException("NATS is unreachable (test)");
        }
    }
}
