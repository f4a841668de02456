using StackExchange.Redis;
using Ticketing.Expiration.Extensions;

namespace Ticketing.Expiration.Data;

/// <summary>What the service knows about one order: its scheduled job, or how it ended.</summary>
public readonly record struct OrderJobEntry(string Value)
{
    public const string Cancelled = "cancelled";
    public const string Completed = "completed";
    public const string Expired = "expired";

    /// <summary>The order needs no (more) expiration: cancelled, completed or already expired.</summary>
    public bool IsOutcome => Value is Cancelled or Completed or Expired;

    /// <summary>The Hangfire job id while the expiration is scheduled, else null.</summary>
    public string? JobId => IsOutcome ? null : Value;
}

/// <summary>
/// The order -> job map in Redis, next to Hangfire's own keys (same prefix): <c>&lt;prefix&gt;order:&lt;orderId&gt;</c> holds the
/// scheduled job's id, or the order's outcome once it needs no expiration (<c>cancelled</c>, <c>completed</c>,
/// <c>expired</c>). It makes scheduling idempotent (a redelivered OrderCreated finds the entry), lets a
/// cancellation find the job to delete, and lets a job that runs anyway (deleted too late, or a stray duplicate)
/// see that it must not publish. Every entry expires <see cref="ExpirationOptions.Memory"/> after the order's expiry.
/// </summary>
public sealed class OrderJobMap(IConnectionMultiplexer redis, ExpirationOptions options, TimeProvider timeProvider)
{
    private IDatabase Database => redis.GetDatabase(options.Redis.DefaultDatabase ?? 0);

    private RedisKey Key(string orderId) => $"{options.Prefix}order:{orderId}";

    public async Task<OrderJobEntry?> GetAsync(string orderId)
    {
        var value = await Database.StringGetAsync(Key(orderId));
        return value.HasValue ? new OrderJobEntry(value.ToString()) : null;
    }

    /// <summary>Records <paramref name="jobId"/> as the order's job unless the order has an entry already; false then.</summary>
    public Task<bool> TryClaimAsync(string orderId, string jobId, DateTimeOffset expiresAt) =>
        Database.StringSetAsync(Key(orderId), jobId, Lifetime(expiresAt), When.NotExists);

    /// <summary>Records the order's outcome and returns what was there before (the job to delete, if any).</summary>
    public async Task<OrderJobEntry?> SetOutcomeAsync(string orderId, string outcome, DateTimeOffset? expiresAt = null)
    {
        var previous = await Database.StringSetAndGetAsync(Key(orderId), outcome, Lifetime(expiresAt ?? timeProvider.GetUtcNow()));
        return previous.HasValue ? new OrderJobEntry(previous.ToString()) : null;
    }

    private TimeSpan Lifetime(DateTimeOffset expiresAt)
    {
        var untilExpiry = expiresAt - timeProvider.GetUtcNow();
        return (untilExpiry > TimeSpan.Zero ? untilExpiry : TimeSpan.Zero) + options.Memory;
    }
}
