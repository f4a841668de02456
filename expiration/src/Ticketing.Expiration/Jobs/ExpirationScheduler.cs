using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using StackExchange.Redis;
using Ticketing.Common.Hosting;
using Ticketing.Expiration.Data;

namespace Ticketing.Expiration.Jobs;

/// <summary>
/// Schedules and deletes orders' expiration jobs, keeping the order -> job map (<see cref="OrderJobMap"/>) right, so
/// that each order gets at most one job and a cancelled or completed order's job is deleted (or, if it runs anyway,
/// publishes nothing).
/// Redis unreachable is a dependency outage (<see cref="DependencyUnavailableException"/>): the consumer holds the order
/// event and tries again until Redis answers, instead of counting the failure toward parking the event, which would
/// leave the order without an expiration.
/// </summary>
public sealed class ExpirationScheduler(IBackgroundJobClient jobs, OrderJobMap map, TimeProvider timeProvider, ILogger<ExpirationScheduler> logger)
{
    /// <summary>
    /// Schedules the order's job at <paramref name="expiresAt"/>, once: an order that has a job already, or has been
    /// cancelled, completed or expired, gets nothing new. Returns the new job's id, or null.
    /// </summary>
    public Task<string?> ScheduleAsync(string orderId, DateTimeOffset expiresAt) => WhileRedisAnswersAsync(() => ScheduleOnceAsync(orderId, expiresAt));

    /// <summary>
    /// Records that the order needs no expiration (<paramref name="outcome"/>: cancelled or completed) and deletes its
    /// job if it has one. Works in any order of events: a later OrderCreated finds the outcome and schedules nothing.
    /// </summary>
    public Task CancelAsync(string orderId, string outcome) => WhileRedisAnswersAsync(async () =>
    {
        await CancelOnceAsync(orderId, outcome);
        return (string?)null;
    });

    private async Task<string?> ScheduleOnceAsync(string orderId, DateTimeOffset expiresAt)
    {
        if (await map.GetAsync(orderId) is { } existing)
        {
            logger.LogDebug("Order {OrderId} already has {Entry}; nothing new is scheduled", orderId, existing.Value);
            return null;
        }

        // A due order (a replay of old events) is queued at once; the job itself still checks the time.
        IState state = expiresAt <= timeProvider.GetUtcNow()
            ? new EnqueuedState { Reason = "expiresAt has passed" }
            : new ScheduledState(expiresAt.UtcDateTime) { Reason = "OrderCreated" };
        var jobId = jobs.Create(Job.FromExpression<ExpireOrderJob>(job => job.RunAsync(orderId, expiresAt, null, CancellationToken.None)), state);
        if (await map.TryClaimAsync(orderId, jobId, expiresAt))
        {
            logger.LogInformation("Order {OrderId} will expire at {ExpiresAt} (job {JobId})", orderId, expiresAt, jobId);
            return jobId;
        }

        // Someone else got there first (a concurrent redelivery, or the order's cancellation): ours is not needed.
        jobs.Delete(jobId);
        return null;
    }

    private async Task CancelOnceAsync(string orderId, string outcome)
    {
        // The outcome first: a job that starts meanwhile finds it and publishes nothing.
        var previous = await map.SetOutcomeAsync(orderId, outcome);
        if (previous?.JobId is { } jobId)
        {
            jobs.Delete(jobId);
            logger.LogInformation("Order {OrderId} is {Outcome}: its expiration job {JobId} is deleted", orderId, outcome, jobId);
        }
    }

    /// <summary>Runs a step on Redis; Redis unreachable or timing out (directly, or inside Hangfire's exceptions) becomes a <see cref="DependencyUnavailableException"/>.</summary>
    private static async Task<T> WhileRedisAnswersAsync<T>(Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (Exception ex) when (IsRedisUnavailable(ex))
        {
            throw new DependencyUnavailableException($"Redis is unavailable: {ex.Message}", ex);
        }
    }

    private static bool IsRedisUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is RedisConnectionException or RedisTimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}
