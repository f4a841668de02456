using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ticketing.Common.Messaging;
using Ticketing.Common.Outbox;
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
        await using var app = await new ExpirationApp(servers, settings: new Dictionary<string, string?>
        {
            ["EXPIRATION_JOB_ATTEMPTS"] = "3",
            ["EXPIRATION_JOB_RETRY_DELAY_SECONDS"] = "0",
        })
        {
            ConfigureServices = services =>
            {
                services.AddSingleton<IEventPublisher>(publisher);
                services.AddSingleton<ILoggerProvider>(logs);
            },
        }.StartAsync();
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);

        var order = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddMilliseconds(500));
        var jobId = await app.JobOfAsync(order.Id);

        await Ticketing.Common.Testing.Eventually.TrueAsync(() => app.StateOf(jobId) == "Failed", "the job to be left failed");
        Assert.Equal(3, publisher.Attempts);
        Assert.Equal(1, app.Monitoring.FailedCount());
        Assert.Contains(jobId, app.Monitoring.FailedJobs(0, 10).Select(j => j.Key));
        Assert.Contains(logs.Errors, line => line.Contains(order.Id, StringComparison.Ordinal) && line.Contains("failed for good", StringComparison.Ordinal));
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

    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _errors = new();

        public IReadOnlyList<string> Errors => [.. _errors];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error)
                {
                    logs._errors.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
