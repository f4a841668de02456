using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Ticketing.Common.Events;
using Ticketing.Common.Hosting;
using Ticketing.Common.Outbox;

namespace Ticketing.Common.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Connects the service to NATS JetStream (<c>NATS_URL</c>, required; identity and TLS from
    /// <see cref="NatsConnectionSettings"/>): connection, the streams and durable consumers looked up (created only
    /// with <c>NATS_PROVISION</c>), publisher, outbox dispatcher and relay settings, and a readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, string serviceName)
    {
        var configuration = builder.Configuration;
        var connectionSettings = NatsConnectionSettings.From(
            configuration,
            configuration.Required("NATS_URL", "the NATS server with JetStream, for example nats://localhost:4222"));
        var options = MessagingOptions.From(configuration, serviceName, connectionSettings.Url);
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new OutboxRelayOptions
        {
            Interval = configuration.Milliseconds("OUTBOX_SWEEP_INTERVAL_MS", TimeSpan.FromSeconds(5), 10, 3_600_000),
            Grace = configuration.Milliseconds("OUTBOX_GRACE_MS", TimeSpan.FromSeconds(2), 0, 3_600_000),
            MaxBacklogAge = configuration.Seconds("OUTBOX_MAX_AGE_S", TimeSpan.FromMinutes(2), 1, 7 * 24 * 3600),
        });

        builder.Services.AddSingleton(connectionSettings);
        builder.Services.AddSingleton<ProvisioningState>();
        builder.Services.AddSingleton<INatsConnection>(sp => connectionSettings.Connect(serviceName, sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton<INatsJSContext>(sp => new NatsJSContext(sp.GetRequiredService<INatsConnection>()));
        builder.Services.AddSingleton<JetStreamTopology>();
        builder.Services.AddSingleton<IEventPublisher, JetStreamEventPublisher>();
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddHostedService<MessagingStartup>();
        builder.Services.AddHealthChecks().AddCheck<NatsHealthCheck>("nats", tags: ["ready"]);
        return builder;
    }

    /// <summary>Handles <typeparamref name="TEvent"/> with <typeparamref name="THandler"/> through a durable consumer of its own.</summary>
    public static IServiceCollection AddEventHandler<TEvent, THandler>(this IServiceCollection services)
        where TEvent : IIntegrationEvent<TEvent>
        where THandler : class, IEventHandler<TEvent>
    {
        services.AddScoped<IEventHandler<TEvent>, THandler>();
        services.AddHostedService<EventConsumer<TEvent>>();
        return services;
    }
}

/// <summary>Connects and sets up the streams in the background at start, so the first request does not pay for it.</summary>
internal sealed class MessagingStartup(INatsConnection connection, JetStreamTopology topology, ILogger<MessagingStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await connection.ConnectAsync();
                await topology.EnsureAsync(stoppingToken);
                logger.LogInformation("Connected to NATS; streams are ready");
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not InvalidSettingException)
            {
                var delay = TimeSpan.FromSeconds(Math.Min(30, attempt));
                if (ex is NotProvisionedException)
                {
                    // Not a fault of this service: say what to do, without a stack trace every few seconds.
                    logger.LogWarning("NATS is not provisioned: {Error}; looking again in {Delay}", ex.Message, delay);
                }
                else
                {
                    logger.LogWarning(ex, "NATS is not ready ({Error}); trying again in {Delay}", ex.Message, delay);
                }

                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}

/// <summary>
/// Readiness: connected to NATS, the event stream exists (a server that lost its store has none) and every durable
/// consumer of this service was found (the provisioning step ran).
/// </summary>
internal sealed class NatsHealthCheck(
    INatsConnection connection,
    INatsJSContext jetStream,
    MessagingOptions options,
    JetStreamTopology topology,
    ProvisioningState provisioning,
    ILogger<NatsHealthCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (connection.ConnectionState != NatsConnectionState.Open)
        {
            return HealthCheckResult.Unhealthy($"NATS connection is {connection.ConnectionState}");
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await jetStream.GetStreamAsync(options.StreamName, cancellationToken: timeout.Token);
            if (provisioning.MissingNow is { Count: > 0 } missing)
            {
                return HealthCheckResult.Unhealthy(
                    $"durable consumer(s) {string.Join(", ", missing)} missing: run the provisioning step (ticketing nats provision)");
            }

            return HealthCheckResult.Healthy("connected; stream present");
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            topology.Invalidate(); // the next publish or consumer looks again (and creates it with NATS_PROVISION)
            return HealthCheckResult.Unhealthy(
                $"stream {options.StreamName} is missing" + (options.Provision ? string.Empty : ": run the provisioning step (ticketing nats provision)"));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Readiness: stream {Stream} could not be checked", options.StreamName);
            return HealthCheckResult.Unhealthy($"stream {options.StreamName} could not be checked");
        }
    }
}
