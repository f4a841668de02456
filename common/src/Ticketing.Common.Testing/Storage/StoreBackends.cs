using MongoDB.Driver;
using Testcontainers.MongoDb;
using Ticketing.Common.Storage;
using Ticketing.Common.Storage.Embedded;
using Ticketing.Common.Storage.Mongo;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Common.Testing.Storage;

/// <summary>
/// A storage backend a store contract test runs against. Each test gets a fresh, isolated database.
/// A backend that cannot run here says why (<see cref="UnavailableReason"/>) and its tests are skipped with that reason.
/// </summary>
public abstract class StoreBackend
{
    public abstract string Name { get; }

    /// <summary>Null when the backend can run here; otherwise why not (printed as the skip reason).</summary>
    public abstract string? UnavailableReason { get; }

    public abstract Task<IDocumentDatabase> CreateDatabaseAsync(string serviceName);

    public abstract Task DropDatabaseAsync(IDocumentDatabase database);

    public override string ToString() => Name;
}

/// <summary>The embedded LiteDB store, always available: a new file in a new temp folder per test.</summary>
public sealed class EmbeddedStoreBackend : StoreBackend
{
    private readonly Dictionary<IDocumentDatabase, TempDirectory> _folders = [];

    public override string Name => "embedded";
    public override string? UnavailableReason => null;

    public override Task<IDocumentDatabase> CreateDatabaseAsync(string serviceName)
    {
        var folder = new TempDirectory("ticketing-store");
        var database = new EmbeddedDocumentDatabase(Path.Combine(folder.Path, $"{serviceName}.db"));
        lock (_folders)
        {
            _folders[database] = folder;
        }

        return Task.FromResult<IDocumentDatabase>(database);
    }

    public override Task DropDatabaseAsync(IDocumentDatabase database)
    {
        database.Dispose();
        lock (_folders)
        {
            if (_folders.Remove(database, out var folder))
            {
                folder.Dispose();
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// MongoDB: the server in <c>MONGO_URI</c> when the test run sets it, else a throw-away container when a
/// Docker engine is available (Testcontainers, e.g. in GitHub Actions), else unavailable. Each test gets its
/// own database, dropped afterwards.
/// </summary>
public sealed class MongoStoreBackend : StoreBackend
{
    private static readonly Lazy<Task<string>> Container = new(StartContainerAsync);

    public override string Name => "mongodb";

    public override string? UnavailableReason =>
        Environment.GetEnvironmentVariable("MONGO_URI") is { Length: > 0 } || DockerAvailable()
            ? null
            : "MongoDB is not available here: set MONGO_URI to a MongoDB server for tests, or run them where a Docker engine is available.";

    public override async Task<IDocumentDatabase> CreateDatabaseAsync(string serviceName)
    {
        var uri = Environment.GetEnvironmentVariable("MONGO_URI") is { Length: > 0 } configured ? configured : await Container.Value;
        return new MongoDocumentDatabase(TestDatabaseUrl(uri, $"test_{serviceName}_{Guid.NewGuid():N}"), serviceName);
    }

    /// <summary>
    /// <paramref name="uri"/> pointing at database <paramref name="database"/>, still authenticating where it did:
    /// a URI without a database (Testcontainers' <c>mongodb://mongo:mongo@host:port</c>) authenticates against
    /// <c>admin</c>, and naming a database in it would move authentication there, where the user does not exist.
    /// </summary>
    public static string TestDatabaseUrl(string uri, string database)
    {
        var builder = new MongoUrlBuilder(uri);
        if (builder.Username is not null && builder.AuthenticationSource is null)
        {
            builder.AuthenticationSource = builder.DatabaseName ?? "admin";
        }

        builder.DatabaseName = database;
        return builder.ToString();
    }

    public override async Task DropDatabaseAsync(IDocumentDatabase database)
    {
        if (database is MongoDocumentDatabase mongo)
        {
            await mongo.Database.Client.DropDatabaseAsync(mongo.Database.DatabaseNamespace.DatabaseName);
        }

        database.Dispose();
    }

    private static bool DockerAvailable() =>
        File.Exists("/var/run/docker.sock") || Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 };

    private static async Task<string> StartContainerAsync()
    {
        var container = new MongoDbBuilder("mongo:8.0").Build();
        await container.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
        return container.GetConnectionString();
    }
}
