using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.Redis.StackExchange;
using OpenTelemetry.Metrics;
using StackExchange.Redis;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Expiration.Data;
using Ticketing.Expiration.Events;
using Ticketing.Expiration.Jobs;

namespace Ticketing.Expiration.Extensions;

public static class ExpirationServices
{
    public const string ServiceName = "expiration";

    /// <summary>
    /// Everything the expiration service needs besides the common defaults: settings, Redis, Hangfire (storage, job
    /// server, filters), NATS JetStream with one durable consumer per order event, readiness of Redis and NATS.
    /// Settings: <c>NATS_URL</c> and <c>REDIS_URL</c> (required), the <c>EXPIRATION_*</c> tuning of <see cref="ExpirationOptions"/>.
    /// </summary>
    /// <remarks>
    /// Hangfire keeps some configuration in statics (<c>GlobalConfiguration</c>); this host's storage, activator and
    /// filters are registered in DI before <c>AddHangfire</c>, so the server, the client and the dashboard use this
    /// host's, never <c>JobStorage.Current</c> (two instances in one test process stay apart).
    /// </remarks>
    public static WebApplicationBuilder AddExpirationServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = ExpirationOptions.From(builder.Configuration);
        services.AddSingleton(options);

        builder.AddMessaging(ServiceName);

        services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var writer = new LogWriter(sp.GetRequiredService<ILoggerFactory>().CreateLogger("StackExchange.Redis"));
            return ConnectionMultiplexer.Connect(options.Redis, writer);
        });
        services.AddSingleton<JobStorage>(sp => new RedisStorage(sp.GetRequiredService<IConnectionMultiplexer>(), new RedisStorageOptions
        {
            Prefix = options.Prefix,
            Db = options.Redis.DefaultDatabase ?? 0,
            // Fallback for a lost pub/sub wake-up: an idle worker looks at the queue at least this often.
            FetchTimeout = TimeSpan.FromSeconds(1),
            // A job fetched by an instance that died is queued again after this (ours run for seconds at most).
            InvisibilityTimeout = TimeSpan.FromMinutes(5),
        }));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton<IJobFilterProvider, ExpirationJobFilters>();
        services.AddHangfire(configuration => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer((_, server) =>
        {
            server.ServerName = $"{ServiceName}:{Environment.MachineName}:{Guid.NewGuid().ToString("N")[..8]}";
            server.SchedulePollingInterval = options.PollInterval;
            server.WorkerCount = options.Workers;
            server.MaxDegreeOfParallelismForSchedulers = 4;
            // A dead instance's running jobs are given to the living within about a minute and a half.
            server.HeartbeatInterval = TimeSpan.FromSeconds(10);
            server.ServerCheckInterval = TimeSpan.FromSeconds(30);
            server.ServerTimeout = TimeSpan.FromMinutes(1);
        });

        services.AddSingleton<OrderJobMap>();
        services.AddSingleton<ExpirationScheduler>();
        services.AddSingleton<ExpirationMetrics>();
        services.AddTransient<ExpireOrderJob>();

        services.AddEventHandler<OrderCreatedV1, OrderCreatedHandler>();
        services.AddEventHandler<OrderCancelledV1, OrderCancelledHandler>();
        services.AddEventHandler<OrderCompletedV1, OrderCompletedHandler>();

        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(ExpirationMetrics.MeterName));
        return builder;
    }

    /// <summary>The read-only Hangfire dashboard at <c>/hangfire</c>, for requests from this machine only (never routed by the ingress).</summary>
    public static WebApplication MapExpirationDashboard(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<ExpirationOptions>();
        if (options.Dashboard)
        {
            app.UseHangfireDashboard(ExpirationOptions.DashboardPath, new DashboardOptions
            {
                IsReadOnlyFunc = _ => true,
                Authorization = [new LocalDashboardAuthorization()],
                DashboardTitle = "Ticketing expiration jobs",
                DisplayStorageConnectionString = false,
                AppPath = null,
            });
        }

        return app;
    }

    /// <summary>StackExchange.Redis's connection log, into the service's log at debug level.</summary>
    private sealed class LogWriter(ILogger logger) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void WriteLine(string? value)
        {
            if (value is not null)
            {
                logger.LogDebug("{RedisLog}", value);
            }
        }
    }
}
