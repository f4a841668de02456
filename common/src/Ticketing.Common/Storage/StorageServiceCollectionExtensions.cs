using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ticketing.Common.Hosting;
using Ticketing.Common.Messaging;
using Ticketing.Common.Outbox;
using Ticketing.Common.Storage.Embedded;
using Ticketing.Common.Storage.Mongo;

namespace Ticketing.Common.Storage;

/// <summary>Where a service keeps its data, from configuration.</summary>
public sealed record StorageOptions(string ServiceName, string? MongoUri, string? MongoDatabase, string DataDirectory)
{
    /// <summary>
    /// <c>MONGO_URI</c> set: MongoDB (database from the URI, else <c>MONGO_DATABASE</c>, else the service name).
    /// Otherwise the embedded store in <c>DATA_DIR</c> (default <c>.data/&lt;service&gt;</c>).
    /// </summary>
    public static StorageOptions From(IConfiguration configuration, string serviceName) => new(
        serviceName,
        configuration.Optional("MONGO_URI"),
        configuration.Optional("MONGO_DATABASE"),
        configuration.Optional("DATA_DIR") ?? Path.Combine(".data", serviceName));

    public bool UsesMongo => MongoUri is not null;

    public IDocumentDatabase Open() => UsesMongo
        ? new MongoDocumentDatabase(MongoUri!, MongoDatabase ?? ServiceName)
        : new EmbeddedDocumentDatabase(Path.Combine(DataDirectory, $"{ServiceName}.db"));
}

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the service's database (MongoDB or embedded) and its readiness check.</summary>
    public static IHostApplicationBuilder AddDocumentStorage(this IHostApplicationBuilder builder, string serviceName)
    {
        var options = StorageOptions.From(builder.Configuration, serviceName);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IDocumentDatabase>(sp =>
        {
            var database = options.Open();
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Ticketing.Storage").LogInformation(
                "Storage: {Provider} ({Where})", database.Provider,
                options.UsesMongo ? "MONGO_URI" : Path.GetFullPath(options.DataDirectory));
            return database;
        });
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StorageInitializer>());
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Registers a collection as <see cref="IDocumentCollection{T}"/>. <paramref name="initialize"/> (indexes)
    /// runs once at start, before the service takes requests, retried until the database answers.
    /// </summary>
    public static IServiceCollection AddDocumentCollection<T>(
        this IServiceCollection services,
        string name,
        Func<IDocumentCollection<T>, CancellationToken, Task>? initialize = null)
        where T : class, IDocument
    {
        services.AddSingleton(sp => sp.GetRequiredService<IDocumentDatabase>().GetCollection<T>(name));
        AddInitializer(services, initialize);
        return services;
    }

    /// <summary>
    /// Registers a collection of outbox documents: writes publish their pending events at once, and the
    /// outbox relay publishes whatever is left behind. Needs <c>AddMessaging</c>.
    /// </summary>
    public static IServiceCollection AddOutboxCollection<T>(
        this IServiceCollection services,
        string name,
        Func<IDocumentCollection<T>, CancellationToken, Task>? initialize = null)
        where T : class, IOutboxDocument
    {
        services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<IDocumentDatabase>().GetOutboxStore<T>(name));
        services.AddSingleton<IDocumentCollection<T>>(sp =>
        {
            var database = sp.GetRequiredService<IDocumentDatabase>();
            return new OutboxDocumentCollection<T>(
                database.GetCollection<T>(name),
                database.GetOutboxStore<T>(name),
                sp.GetRequiredService<OutboxDispatcher>(),
                sp.GetRequiredService<ILogger<OutboxDocumentCollection<T>>>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OutboxRelay>());
        AddInitializer(services, initialize);
        return services;
    }

    private static void AddInitializer<T>(IServiceCollection services, Func<IDocumentCollection<T>, CancellationToken, Task>? initialize)
        where T : class, IDocument
    {
        if (initialize is not null)
        {
            services.AddSingleton(new StorageInitializer.Step(
                typeof(T).Name,
                (sp, ct) => initialize(sp.GetRequiredService<IDocumentCollection<T>>(), ct)));
        }
    }
}

/// <summary>Runs the collections' one-time set-up (indexes) at start, retrying while the database is unreachable.</summary>
internal sealed class StorageInitializer(IServiceProvider services, IEnumerable<StorageInitializer.Step> steps, ILogger<StorageInitializer> logger)
    : IHostedService
{
    public sealed record Step(string Name, Func<IServiceProvider, CancellationToken, Task> Run);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Opened now, not on the first request: an embedded store another process holds stops the service at start.
        _ = services.GetRequiredService<IDocumentDatabase>();
        foreach (var step in steps)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await step.Run(services, cancellationToken);
                    break;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not InvalidSettingException)
                {
                    var delay = TimeSpan.FromSeconds(Math.Min(30, attempt * 2));
                    logger.LogWarning(ex, "Setting up {Collection} failed ({Error}); trying again in {Delay}", step.Name, ex.Message, delay);
                    await Task.Delay(delay, cancellationToken);
                }
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed class StorageHealthCheck(IDocumentDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await database.PingAsync(timeout.Token);
            return HealthCheckResult.Healthy(database.Provider);
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy($"{database.Provider} is not answering: {ex.Message}");
        }
    }
}
