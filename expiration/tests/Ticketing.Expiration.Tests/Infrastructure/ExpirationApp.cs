using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Testing.Web;
using Ticketing.Expiration.Data;

namespace Ticketing.Expiration.Tests.Infrastructure;

/// <summary>
/// One instance of the expiration service, hosted in memory against real nats-server and redis-server. Instances
/// given the same <see cref="Prefix"/> share their jobs (as replicas sharing one Redis do); by default each app has a
/// prefix of its own, so tests never see each other's jobs.
/// </summary>
public sealed class ExpirationApp : ServiceFactory<Program>
{
    public ExpirationApp(Servers servers, string? prefix = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Prefix = prefix ?? NewPrefix();
        Settings["NATS_URL"] = servers.Nats.Url;
        Settings["REDIS_URL"] = servers.Redis.ConnectionString;
        Settings["EXPIRATION_REDIS_PREFIX"] = Prefix;
        Settings["NATS_RETRY_DELAY_MS"] = "50";
        Settings["Logging:LogLevel:Default"] = "Warning";
        Settings["Logging:LogLevel:Ticketing.Expiration"] = "Information";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            Settings[key] = value;
        }
    }

    public static string NewPrefix() => $"{{test-{Guid.NewGuid():N}}}:";

    public string Prefix { get; }

    /// <summary>Lets a test swap services (a failing publisher, a fake clock) before the first use.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public OrderJobMap Map => Services.GetRequiredService<OrderJobMap>();

    public IMonitoringApi Monitoring => Services.GetRequiredService<JobStorage>().GetMonitoringApi();

    /// <summary>Starts the host and waits until it is connected to NATS (its consumers then start at once).</summary>
    public async Task<ExpirationApp> StartAsync()
    {
        _ = Server;
        var connection = Services.GetRequiredService<INatsConnection>();
        await Eventually.TrueAsync(() => connection.ConnectionState == NatsConnectionState.Open, "the service to connect to NATS");
        return this;
    }

    /// <summary>The order's scheduled job id, once OrderCreated has been handled.</summary>
    public Task<string> JobOfAsync(string orderId) =>
        Eventually.ValueAsync(async () => (await Map.GetAsync(orderId))?.JobId, $"a job for order {orderId}");

    /// <summary>The job's current state name (Scheduled, Enqueued, Processing, Succeeded, Deleted, Failed).</summary>
    public string? StateOf(string jobId) => Monitoring.JobDetails(jobId)?.History.FirstOrDefault()?.StateName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (ConfigureServices is not null)
        {
            builder.ConfigureTestServices(ConfigureServices);
        }
    }
}

/// <summary>A nats-server and a redis-server (append-only file on) for a test class.</summary>
public sealed class Servers : IAsyncLifetime
{
    public NatsServer Nats { get; private set; } = null!;
    public RedisServer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var nats = NatsServer.StartNewAsync();
        var redis = RedisServer.StartNewAsync();
        Nats = await nats;
        Redis = await redis;
    }

    public async Task DisposeAsync()
    {
        if (Nats is not null)
        {
            await Nats.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}
