using System.ComponentModel;
using System.Diagnostics.Metrics;
using Hangfire;
using Hangfire.Server;
using Hangfire.States;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Expiration.Data;
using Ticketing.Expiration.Extensions;

namespace Ticketing.Expiration.Jobs;

/// <summary>
/// The delayed job: at an order's <c>expiresAt</c> it publishes ExpirationCompleted <c>{ orderId }</c> (message id
/// <c>expiration.completed.v1:{orderId}</c>, so a repeated run is dropped by the stream).
/// <list type="bullet">
/// <item>Never early: Redis storage keeps schedules in whole seconds (truncated), so Hangfire may start the job up to a
/// second before <c>expiresAt</c>. The job checks the real time (<see cref="TimeProvider"/>): a little early, it waits
/// in place; more than <see cref="ExpirationOptions.MaxEarlyWait"/> early (clocks apart), it schedules itself again.</item>
/// <item>Publishes only while the order still needs it: not when the order was cancelled or completed meanwhile (its
/// deletion came too late), and not when another job is the order's (a stray duplicate).</item>
/// <item>A failed publish throws: Hangfire retries it (<see cref="ExpirationJobFilters"/>), and after the last attempt the
/// job stays failed (the dashboard's Failed list) and is logged as an error.</item>
/// </list>
/// </summary>
public sealed class ExpireOrderJob(
    OrderJobMap map,
    IEventPublisher publisher,
    IBackgroundJobClient jobs,
    ExpirationOptions options,
    ExpirationMetrics metrics,
    TimeProvider timeProvider,
    ILogger<ExpireOrderJob> logger)
{
    /// <param name="orderId">The order to expire.</param>
    /// <param name="expiresAt">Its expiresAt, exactly as OrderCreated said.</param>
    /// <param name="context">Supplied by Hangfire (pass null when scheduling).</param>
    /// <param name="cancellationToken">Supplied by Hangfire: the server is stopping (the job is then run again later).</param>
    [DisplayName("Expire order {0}")]
    public async Task RunAsync(string orderId, DateTimeOffset expiresAt, PerformContext? context, CancellationToken cancellationToken)
    {
        var jobId = context?.BackgroundJob.Id;
        var early = expiresAt - timeProvider.GetUtcNow();
        logger.LogDebug("Expiration job {JobId} of order {OrderId} started {Early:0} ms before expiresAt", jobId, orderId, early.TotalMilliseconds);
        if (early > TimeSpan.Zero)
        {
            if (early > options.MaxEarlyWait && jobId is not null)
            {
                jobs.ChangeState(jobId, new ScheduledState(expiresAt.UtcDateTime) { Reason = $"Started {early.TotalMilliseconds:0} ms before expiresAt" }, ProcessingState.StateName);
                logger.LogWarning("Expiration job {JobId} of order {OrderId} started {Early} before {ExpiresAt}; scheduled again", jobId, orderId, early, expiresAt);
                return;
            }

            // Timers may fire a millisecond early: wait until the clock really says so.
            while (early > TimeSpan.Zero)
            {
                await Task.Delay(early + TimeSpan.FromMilliseconds(1), timeProvider, cancellationToken);
                early = expiresAt - timeProvider.GetUtcNow();
            }
        }

        var entry = await map.GetAsync(orderId);
        if (entry is { IsOutcome: true } outcome)
        {
            logger.LogInformation("Order {OrderId} is {Outcome}; its expiration job {JobId} publishes nothing", orderId, outcome.Value, jobId);
            return;
        }

        if (entry?.JobId is { } owner && jobId is not null && owner != jobId)
        {
            logger.LogWarning("Expiration job {JobId} of order {OrderId} is not the order's job ({Owner}); it publishes nothing", jobId, orderId, owner);
            return;
        }

        try
        {
            await publisher.PublishAsync(new ExpirationCompletedV1(orderId), timeProvider, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var attempt = (context?.GetJobParameter<int>("RetryCount", allowStale: true) ?? 0) + 1;
            if (attempt >= options.JobAttempts)
            {
                logger.LogError(ex,
                    "Expiration job {JobId} of order {OrderId} failed for good after {Attempts} attempts; it is left failed (dashboard: Failed): {Error}",
                    jobId, orderId, attempt, ex.Message);
            }

            throw;
        }

        var lateness = timeProvider.GetUtcNow() - expiresAt;
        metrics.Lateness.Record(lateness.TotalMilliseconds);
        await map.SetOutcomeAsync(orderId, OrderJobEntry.Expired, expiresAt);
        logger.LogInformation("Order {OrderId} expired: ExpirationCompleted published {Lateness:0} ms after expiresAt", orderId, lateness.TotalMilliseconds);
    }
}

/// <summary>The service's own metrics (meter <c>Ticketing.Expiration</c>).</summary>
public sealed class ExpirationMetrics : IDisposable
{
    public const string MeterName = "Ticketing.Expiration";

    private readonly Meter _meter;

    public ExpirationMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        Lateness = _meter.CreateHistogram<double>("ticketing.expiration.lateness", unit: "ms", description: "How long after expiresAt ExpirationCompleted was published");
    }

    public Histogram<double> Lateness { get; }

    public void Dispose() => _meter.Dispose();
}
