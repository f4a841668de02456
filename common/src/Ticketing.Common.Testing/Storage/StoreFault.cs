using System.Linq.Expressions;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MongoConnectionException = MongoDB.Driver.MongoConnectionException;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Connections;
using MongoDB.Driver.Core.Servers;
using Ticketing.Common.Storage;

namespace Ticketing.Common.Testing.Storage;

/// <summary>
/// A switch that makes a service's database unreachable: while it is on, every operation of a collection wrapped
/// by <see cref="StoreFaultExtensions.AddStoreFault{T}"/> throws what the MongoDB driver throws when the server is
/// down (<see cref="MongoConnectionException"/>). Counts the operations it failed.
/// </summary>
public sealed class StoreFault
{
    private volatile bool _on;
    private int _failures;

    public bool IsOn => _on;

    /// <summary>Operations failed so far.</summary>
    public int Failures => Volatile.Read(ref _failures);

    public void On() => _on = true;

    public void Off() => _on = false;

    internal void ThrowIfOn()
    {
        if (_on)
        {
            Interlocked.Increment(ref _failures);
            var connection = new ConnectionId(new ServerId(new ClusterId(), new DnsEndPoint("mongo", 27017)));
            throw new MongoConnectionException(connection, "An exception occurred while opening a connection to the server (simulated outage).");
        }
    }
}

/// <summary>A collection that fails every operation while its <see cref="StoreFault"/> is on.</summary>
public sealed class FaultyDocumentCollection<T>(IDocumentCollection<T> inner, StoreFault fault) : IDocumentCollection<T>
    where T : class, IDocument
{
    public string Name => inner.Name;

    public Task<T?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        fault.ThrowIfOn();
        return inner.GetAsync(id, cancellationToken);
    }

    public Task<IReadOnlyList<T>> FindAsync(Expression<Func<T, bool>> filter, FindOptions<T>? options = null, CancellationToken cancellationToken = default)
    {
        fault.ThrowIfOn();
        return inner.FindAsync(filter, options, cancellationToken);
    }

    public Task<WriteResult> InsertAsync(T document, CancellationToken cancellationToken = default)
    {
        fault.ThrowIfOn();
        return inner.InsertAsync(document, cancellationToken);
    }

    public Task<WriteResult> ReplaceAsync(T document, Expression<Func<T, bool>> expected, CancellationToken cancellationToken = default)
    {
        fault.ThrowIfOn();
        return inner.ReplaceAsync(document, expected, cancellationToken);
    }

    public Task EnsureIndexAsync<TKey>(string name, Expression<Func<T, TKey>> key, bool unique, CancellationToken cancellationToken = default)
    {
        fault.ThrowIfOn();
        return inner.EnsureIndexAsync(name, key, unique, cancellationToken);
    }
}

public static class StoreFaultExtensions
{
    /// <summary>
    /// Wraps the registered <see cref="IDocumentCollection{T}"/> (register it first) so it fails while
    /// <paramref name="fault"/> is on. Use it in a service's tests through <c>ServiceFactory.ConfigureTestServices</c>.
    /// </summary>
    public static IServiceCollection AddStoreFault<T>(this IServiceCollection services, StoreFault fault)
        where T : class, IDocument
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IDocumentCollection<T>))
            ?? throw new InvalidOperationException($"Register IDocumentCollection<{typeof(T).Name}> before adding a fault to it.");
        services.Remove(registered);
        services.AddSingleton<IDocumentCollection<T>>(sp =>
        {
            var inner = registered.ImplementationInstance as IDocumentCollection<T>
                ?? (registered.ImplementationFactory is { } factory
                    ? (IDocumentCollection<T>)factory(sp)
                    : (IDocumentCollection<T>)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!));
            return new FaultyDocumentCollection<T>(inner, fault);
        });
        return services;
    }
}

/// <summary>Makes removing published events from an outbox fail, as a database that drops right after a write would.</summary>
public sealed class OutboxCleanupFault
{
    private int _failures;
    private volatile bool _failing;

    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    /// <summary>Removals failed so far.</summary>
    public int Failures => Volatile.Read(ref _failures);

    internal void ThrowIfFailing()
    {
        if (_failing)
        {
            Interlocked.Increment(ref _failures);
            throw new TimeoutException("simulated: the database stopped answering after the write");
        }
    }
}

/// <summary>
/// A service's database whose outbox stores fail to remove published events while <see cref="OutboxCleanupFault"/>
/// is on (everything else passes through). Register it in place of the service's <see cref="IDocumentDatabase"/>.
/// </summary>
public sealed class OutboxCleanupFaultDatabase(IDocumentDatabase inner, OutboxCleanupFault fault) : IDocumentDatabase
{
    public string Provider => inner.Provider;

    public IDocumentCollection<T> GetCollection<T>(string name) where T : class, IDocument => inner.GetCollection<T>(name);

    public Ticketing.Common.Outbox.IOutboxStore GetOutboxStore<T>(string name) where T : class, IOutboxDocument =>
        new Store(inner.GetOutboxStore<T>(name), fault);

    public Task<bool> PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);

    public void Dispose() => inner.Dispose();

    private sealed class Store(Ticketing.Common.Outbox.IOutboxStore inner, OutboxCleanupFault fault) : Ticketing.Common.Outbox.IOutboxStore
    {
        public string Name => inner.Name;

        public Task<IReadOnlyList<Ticketing.Common.Outbox.PendingEvents>> FindPendingAsync(int maxDocuments, CancellationToken cancellationToken = default) =>
            inner.FindPendingAsync(maxDocuments, cancellationToken);

        public Task RemovePendingAsync(string documentId, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
        {
            fault.ThrowIfFailing();
            return inner.RemovePendingAsync(documentId, messageIds, cancellationToken);
        }
    }
}
