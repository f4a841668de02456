using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ticketing.Common.Outbox;

/// <summary>When and how much the relay sweeps.</summary>
public sealed class OutboxRelayOptions
{
    /// <summary><c>OUTBOX_SWEEP_INTERVAL_MS</c>: time between sweeps.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Events younger than this are left to the publish that follows their write.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(2);

    public int BatchSize { get; init; } = 100;

    /// <summary>
    /// <c>OUTBOX_MAX_AGE_S</c>: readiness turns red when the oldest event still waiting in an outbox is older than this
    /// (NATS refusing publishes, a full stream, a relay that cannot keep up): other services are not hearing from this one.
    /// </summary>
    public TimeSpan MaxBacklogAge { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>Readiness: the oldest unpublished event of every outbox is younger than <see cref="OutboxRelayOptions.MaxBacklogAge"/>.</summary>
internal sealed class OutboxHealthCheck(
    IEnumerable<IOutboxStore> stores,
    OutboxRelayOptions options,
    TimeProvider timeProvider,
    ILogger<OutboxHealthCheck> logger) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        DateTimeOffset? oldest = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            foreach (var store in stores)
            {
                var pending = await store.FindPendingAsync(1, timeout.Token); // oldest first, read from an index
                foreach (var document in pending)
                {
                    var first = document.Messages.Min(m => m.OccurredAt);
                    oldest = oldest is null || first < oldest ? first : oldest;
                }
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Readiness: the outbox could not be read");
            return Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("the outbox could not be read");
        }

        var age = oldest is { } at ? timeProvider.GetUtcNow() - at : TimeSpan.Zero;
        return age > options.MaxBacklogAge
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy($"the oldest unpublished event is {age.TotalSeconds:0} s old (limit {options.MaxBacklogAge.TotalSeconds:0} s)")
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(oldest is null ? "empty" : $"oldest unpublished event {age.TotalSeconds:0} s old");
    }
}

/// <summary>
/// Sweeps every outbox store for events that were stored but not published (NATS was down, the process
/// died between write and publish) and publishes them. Not the normal path: a write publishes its own
/// events at once; the relay only picks up what was left behind, so polling costs no latency.
/// </summary>
public sealed class OutboxRelay(
    IEnumerable<IOutboxStore> stores,
    OutboxDispatcher dispatcher,
    OutboxRelayOptions options,
    TimeProvider timeProvider,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Interval, timeProvider);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Outbox sweep failed ({Error}); next sweep in {Interval}", ex.Message, options.Interval);
            }
        }
        while (await WaitForNextTickAsync(timer, stoppingToken));
    }

    /// <summary>Publishes everything pending that is older than the grace period. Returns how many events went out.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = timeProvider.GetUtcNow() - options.Grace;
        var total = 0;
        foreach (var store in stores)
        {
            var pending = await store.FindPendingAsync(options.BatchSize, cancellationToken);
            foreach (var document in pending.Where(p => p.Messages[0].OccurredAt <= cutoff))
            {
                if (!await dispatcher.DispatchAsync(store, document, cancellationToken))
                {
                    return total; // NATS is unreachable: try again next sweep.
                }

                total += document.Messages.Count;
            }
        }

        if (total > 0)
        {
            logger.LogInformation("Outbox relay published {Count} event(s) that had been left behind", total);
        }

        return total;
    }

    private static async Task<bool> WaitForNextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
