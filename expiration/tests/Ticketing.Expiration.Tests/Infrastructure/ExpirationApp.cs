global using ExpirationApp = Ticketing.Common.Testing.Web.ServiceApp<Program>;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Common.Testing.Processes;
using Ticketing.Expiration.Data;

namespace Ticketing.Expiration.Tests.Infrastructure;

/// <summary>
/// An instance of the expiration service is the shared <c>ServiceApp</c> (in memory, on the class's real nats-server);
/// these are what only expiration's tests need: its redis-server and job prefix, and its jobs. Instances given the
/// same prefix share their jobs (as replicas sharing one Redis do); by default each app has a prefix of its own, so
/// tests never see each other's jobs.
/// </summary>
public static class ExpirationAppExtensions
{
    extension(ExpirationApp app)
    {
        /// <summary>An instance on <paramref name="servers"/>, not started (for a test that expects it not to start).</summary>
        public static ExpirationApp On(Servers servers, string? prefix = null, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
        {
            var created = new ExpirationApp(servers.Nats) { TestServices = services };
            created.Settings["REDIS_URL"] = servers.Redis.ConnectionString;
            created.Settings["EXPIRATION_REDIS_PREFIX"] = prefix ?? ExpirationApp.NewPrefix();
            created.Settings["Logging:LogLevel:Ticketing.Expiration"] = "Information";
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                created.Settings[key] = value;
            }

            return created;
        }

        /// <summary>A started instance on <paramref name="servers"/>: connected to NATS, so its consumers start at once.</summary>
        public static async Task<ExpirationApp> StartOnAsync(Servers servers, string? prefix = null, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
        {
            var started = ExpirationApp.On(servers, prefix, settings, services);
            try
            {
                await started.StartAsync();
                return started;
            }
            catch
            {
                await started.DisposeAsync();
                throw;
            }
        }

        public static string NewPrefix() => $"{{test-{Guid.NewGuid():N}}}:";

        public OrderJobMap Map => app.Service<OrderJobMap>();

        public IMonitoringApi Monitoring => app.Service<JobStorage>().GetMonitoringApi();

        /// <summary>The order's scheduled job id, once OrderCreated has been handled.</summary>
        public Task<string> JobOfAsync(string orderId) =>
            app.WaitForValueAsync(async () => (await app.Map.GetAsync(orderId))?.JobId, $"a job for order {orderId}");

        /// <summary>The job's current state name (Scheduled, Enqueued, Processing, Succeeded, Deleted, Failed).</summary>
        public string? StateOf(string jobId) => app.Monitoring.JobDetails(jobId)?.History.FirstOrDefault()?.StateName;
    }
}

/// <summary>A nats-server (with the permission file, provisioned) and a redis-server (append-only file on) for a test class.</summary>
public sealed class Servers : IAsyncLifetime
{
    public NatsServer Nats { get; private set; } = null!;
    public RedisServer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var nats = NatsServer.StartSecuredAsync();
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
