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
    /// <summary>Write concern, journaling and retryable writes for MongoDB (see <see cref="MongoDurability"/>).</summary>
    public MongoDurability Durability { get; init; } = MongoDurability.Default;

    /// <summary>
    /// <c>MONGO_URI</c> set: MongoDB (database from the URI, else <c>MONGO_DATABASE</c>, else the service name).
    /// Otherwise the embedded store in <c>DATA_DIR</c> (default <c>.data/&lt;service&gt;</c>).
    /// </summary>
    public static StorageOptions From(IConfiguration configuration, string serviceName) => new(
        serviceName,
        configuration.Optional("MONGO_URI"),
        configuration.Optional("MONGO_DATABASE"),
        configuration.Optional("DATA_DIR") ?? Path.Combine(".data", serviceName))
    {
        Durability = new MongoDurability(
            WriteConcernSetting(configuration),
            configuration.Bool("MONGO_JOURNAL", true),
            configuration.Bool("MONGO_RETRY_WRITES", true)),
    };

    private static string WriteConcernSetting(IConfiguration configuration)
    {
        var value = configuration.Optional("MONGO_WRITE_CONCERN") ?? "majority";
        return value == "majority" || (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= 50)
            ? value
            : throw new InvalidSettingException("MONGO_WRITE_CONCERN", $"must be 'majority' or a number of members from 1 (got '{value}')");
    }

    public bool UsesMongo => MongoUri is not null;

    public IDocumentDatabase Open() => UsesMongo
        ? new MongoDocumentDatabase(MongoUri!, MongoDatabase ?? ServiceName, Durability)
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
        builder.Services.TryAddSingleton<StorageReadiness>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StorageInitializer>());
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Registers a collection as <see cref="IDocumentCollection{T}"/>. <paramref name="initialize"/> (indexes)
    /// runs once at start, retried until the database answers. Until every collection's set-up is done the service
    /// is not ready and its collections refuse work with <see cref="Hosting.DependencyUnavailableException"/> (503 for
    /// a request, a pause for a consumer), so nothing is written before its unique indexes exist; liveness answers
    /// all along.
    /// </summary>
    public static IServiceCollection AddDocumentCollection<T>(
        this IServiceCollection services,
        string name,
        Func<IDocumentCollection<T>, CancellationToken, Task>? initialize = null)
        where T : class, IDocument
    {
        services.TryAddSingleton<StorageReadiness>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StorageInitializer>());
        services.AddSingleton<IDocumentCollection<T>>(sp => new GatedDocumentCollection<T>(
            sp.GetRequiredService<IDocumentDatabase>().GetCollection<T>(name),
            sp.GetRequiredService<StorageReadiness>()));
        AddInitializer(services, name, initialize);
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
                new GatedDocumentCollection<T>(database.GetCollection<T>(name), sp.GetRequiredService<StorageReadiness>()),
                database.GetOutboxStore<T>(name),
                sp.GetRequiredService<OutboxDispatcher>(),
                sp.GetRequiredService<ILogger<OutboxDocumentCollection<T>>>());
        });
        services.TryAddSingleton<StorageReadiness>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StorageInitializer>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OutboxRelay>());
        if (!services.Any(d => d.ServiceType == typeof(OutboxHealthCheck)))
        {
            services.AddSingleton<OutboxHealthCheck>();
            services.AddHealthChecks().AddCheck<OutboxHealthCheck>("outbox", tags: ["ready"]);
        }
        AddInitializer(services, name, initialize);
        return services;
    }

    private static void AddInitializer<T>(IServiceCollection services, string name, Func<IDocumentCollection<T>, CancellationToken, Task>? initialize)
        where T : class, IDocument
    {
        if (initialize is not null)
        {
            // The set-up works on the plain collection: the service's own one waits for this very set-up.
            services.AddSingleton(new StorageInitializer.Step(
                typeof(T).Name,
                (sp, ct) => initialize(sp.GetRequiredService<IDocumentDatabase>().GetCollection<T>(name), ct)));
        }
    }
}

/// <summary>Whether the collections' one-time set-up (indexes) is done; until then the service is not ready.</summary>
public sealed class StorageReadiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    internal void MarkReady() => _ready = true;
}

/// <summary>A collection that refuses work until <see cref="StorageReadiness"/> says the set-up is done.</summary>
internal sealed class GatedDocumentCollection<T>(IDocumentCollection<T> inner, StorageReadiness readiness) : IDocumentCollection<T>
    where T : class, IDocument
{
    public string Name => inner.Name;

    public Task<T?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ThrowIfNotReady();
        return inner.GetAsync(id, cancellationToken);
    }

    public Task<IReadOnlyList<T>> FindAsync(System.Linq.Expressions.Expression<Func<T, bool>> filter, FindOptions<T>? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfNotReady();
        return inner.FindAsync(filter, options, cancellationToken);
    }

    public Task<WriteResult> InsertAsync(T document, CancellationToken cancellationToken = default)
    {
        ThrowIfNotReady();
        return inner.InsertAsync(document, cancellationToken);
    }

    public Task<WriteResult> ReplaceAsync(T document, System.Linq.Expressions.Expression<Func<T, bool>> expected, CancellationToken cancellationToken = default)
    {
        ThrowIfNotReady();
        return inner.ReplaceAsync(document, expected, cancellationToken);
    }

    public Task EnsureIndexAsync<TKey>(string name, System.Linq.Expressions.Expression<Func<T, TKey>> key, bool unique, CancellationToken cancellationToken = default) =>
        inner.EnsureIndexAsync(name, key, unique, cancellationToken);

    private void ThrowIfNotReady()
    {
        if (!readiness.IsReady)
        {
            throw new DependencyUnavailableException("The database is still being set up (indexes); try again shortly.");
        }
    }
}

/// <summary>
/// Runs the collections' one-time set-up (indexes) at start. The first attempt runs before the service takes
/// requests; if the database does not answer, the attempts continue in the background so the process starts and
/// answers liveness (Kubernetes must not restart a pod that only waits for MongoDB), while readiness stays red and
/// the collections refuse work until the set-up is done.
/// </summary>
internal sealed class StorageInitializer(
    IServiceProvider services,
    IEnumerable<StorageInitializer.Step> steps,
    StorageReadiness readiness,
    ILogger<StorageInitializer> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _background = Task.CompletedTask;

    public sealed record Step(string Name, Func<IServiceProvider, CancellationToken, Task> Run);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Opened now, not on the first request: an embedded store another process holds stops the service at start.
        _ = services.GetRequiredService<IDocumentDatabase>();
        var pending = new Queue<Step>(steps);
        while (pending.TryPeek(out var step))
        {
            try
            {
                await step.Run(services, cancellationToken);
                pending.Dequeue();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not InvalidSettingException)
            {
                logger.LogWarning(ex, "Setting up {Collection} failed ({Error}); the service starts and keeps trying; not ready until done", step.Name, ex.Message);
                _background = Task.Run(() => RetryAsync(pending, _stopping.Token), CancellationToken.None);
                return;
            }
        }

        readiness.MarkReady();
    }

    private async Task RetryAsync(Queue<Step> pending, CancellationToken stoppingToken)
    {
        for (var attempt = 1; pending.TryPeek(out var step); attempt++)
        {
            var delay = TimeSpan.FromSeconds(Math.Min(10, attempt));
            try
            {
                await Task.Delay(delay, stoppingToken);
                await step.Run(services, stoppingToken);
                pending.Dequeue();
                attempt = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Setting up {Collection} failed ({Error}); trying again", step.Name, ex.Message);
            }
        }

        readiness.MarkReady();
        logger.LogInformation("Database set-up done; the service is ready");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _background.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}

internal sealed class StorageHealthCheck(IDocumentDatabase database, StorageReadiness readiness, ILogger<StorageHealthCheck> logger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await database.PingAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            // The reason goes to the log; the probe's body (served without authentication) says only what is wrong.
            logger.LogWarning(ex, "Readiness: {Provider} is not answering", database.Provider);
            return HealthCheckResult.Unhealthy($"{database.Provider} is not answering");
        }

        return readiness.IsReady
            ? HealthCheckResult.Healthy(database.Provider)
            : HealthCheckResult.Unhealthy($"{database.Provider}: setting up collections (indexes)");
    }
}
