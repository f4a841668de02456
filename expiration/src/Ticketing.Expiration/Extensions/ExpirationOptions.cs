using StackExchange.Redis;
using Ticketing.Common.Hosting;

namespace Ticketing.Expiration.Extensions;

/// <summary>
/// The expiration service's own settings (environment variables). A missing or invalid one throws
/// <see cref="InvalidSettingException"/> naming it, which stops the service at start.
/// </summary>
public sealed record ExpirationOptions
{
    public const string RedisUrlSetting = "REDIS_URL";

    /// <summary><c>REDIS_URL</c>, required: <c>host:port</c> (or <c>redis://host:port</c>, or a StackExchange.Redis configuration string).</summary>
    public required ConfigurationOptions Redis { get; init; }

    /// <summary><c>EXPIRATION_REDIS_PREFIX</c>: every key of this service (Hangfire's and the order -> job map) starts with it.</summary>
    public string Prefix { get; init; } = "{ticketing-expiration}:";

    /// <summary><c>EXPIRATION_POLL_INTERVAL_MS</c>: how often due jobs are moved to the queue (Hangfire's SchedulePollingInterval; its default, 15 s, is far too coarse).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>EXPIRATION_WORKERS</c>: jobs run at once in this instance.</summary>
    public int Workers { get; init; } = 20;

    /// <summary><c>EXPIRATION_JOB_ATTEMPTS</c>: runs of a failing job (NATS unreachable, ...) before it is left failed, logged and listed as failed in the dashboard.</summary>
    public int JobAttempts { get; init; } = 15;

    /// <summary><c>EXPIRATION_JOB_RETRY_DELAY_SECONDS</c>: the first retry's delay; it doubles per attempt up to a minute.</summary>
    public int JobRetryDelaySeconds { get; init; } = 1;

    /// <summary>
    /// <c>EXPIRATION_MAX_EARLY_WAIT_MS</c>: a job that starts early by at most this (Redis keeps schedules in whole seconds)
    /// waits in place until <c>expiresAt</c>; one that starts earlier still is scheduled again.
    /// </summary>
    public TimeSpan MaxEarlyWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary><c>EXPIRATION_MEMORY_HOURS</c>: how long an order's job id or outcome (cancelled, completed, expired) is remembered after its expiry.</summary>
    public TimeSpan Memory { get; init; } = TimeSpan.FromDays(7);

    /// <summary><c>EXPIRATION_DASHBOARD</c>: serve the read-only Hangfire dashboard at <see cref="DashboardPath"/> to local requests.</summary>
    public bool Dashboard { get; init; } = true;

    public const string DashboardPath = "/hangfire";

    /// <summary>Delay before retry number <paramref name="attempt"/> (1-based): doubling from the first delay, at most a minute.</summary>
    public int RetryDelaySeconds(long attempt) =>
        (int)Math.Min(60, JobRetryDelaySeconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 16)));

    public static ExpirationOptions From(IConfiguration configuration)
    {
        var redis = ParseRedis(configuration.Required(RedisUrlSetting, "the Redis server that keeps the scheduled jobs, for example redis:6379"));
        var prefix = configuration.Optional("EXPIRATION_REDIS_PREFIX") ?? "{ticketing-expiration}:";
        return new ExpirationOptions
        {
            Redis = redis,
            Prefix = prefix,
            PollInterval = configuration.Milliseconds("EXPIRATION_POLL_INTERVAL_MS", TimeSpan.FromSeconds(1), 50, 60_000),
            Workers = configuration.Int("EXPIRATION_WORKERS", 20, 1, 200),
            JobAttempts = configuration.Int("EXPIRATION_JOB_ATTEMPTS", 15, 1, 100),
            JobRetryDelaySeconds = configuration.Int("EXPIRATION_JOB_RETRY_DELAY_SECONDS", 1, 0, 60),
            MaxEarlyWait = configuration.Milliseconds("EXPIRATION_MAX_EARLY_WAIT_MS", TimeSpan.FromSeconds(2), 0, 60_000),
            Memory = TimeSpan.FromHours(configuration.Int("EXPIRATION_MEMORY_HOURS", 168, 1, 24 * 365)),
            Dashboard = configuration.Bool("EXPIRATION_DASHBOARD", true),
        };
    }

    /// <summary>
    /// <c>host:port</c>, <c>redis://[:password@]host:port[/db]</c> or a StackExchange.Redis configuration string. The
    /// service starts while Redis is down (readiness says so) and reconnects by itself.
    /// </summary>
    internal static ConfigurationOptions ParseRedis(string value)
    {
        var text = value.Trim();
        ConfigurationOptions options;
        try
        {
            if (text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
            {
                var uri = new Uri(text);
                options = new ConfigurationOptions();
                options.EndPoints.Add(uri.Host, uri.IsDefaultPort ? 6379 : uri.Port);
                if (uri.UserInfo is { Length: > 0 } userInfo)
                {
                    var parts = userInfo.Split(':', 2);
                    options.User = parts.Length == 2 && parts[0].Length > 0 ? Uri.UnescapeDataString(parts[0]) : null;
                    options.Password = Uri.UnescapeDataString(parts[^1]);
                }

                if (uri.AbsolutePath.Trim('/') is { Length: > 0 } db)
                {
                    options.DefaultDatabase = int.Parse(db, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            else
            {
                options = ConfigurationOptions.Parse(text);
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or OverflowException)
        {
            throw new InvalidSettingException(RedisUrlSetting, $"must be host:port or redis://host:port ({e.Message})");
        }

        if (options.EndPoints.Count == 0)
        {
            throw new InvalidSettingException(RedisUrlSetting, $"names no Redis server (got '{value}')");
        }

        options.AbortOnConnectFail = false;
        options.ClientName ??= "expiration";
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 5000);
        return options;
    }
}
