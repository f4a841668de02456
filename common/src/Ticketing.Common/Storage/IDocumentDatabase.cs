using Ticketing.Common.Outbox;

namespace Ticketing.Common.Storage;

/// <summary>A service's own database: MongoDB in production, the embedded LiteDB file for local runs and tests.</summary>
public interface IDocumentDatabase : IDisposable
{
    /// <summary><c>mongodb</c> or <c>embedded</c>, for logs and health output.</summary>
    string Provider { get; }

    IDocumentCollection<T> GetCollection<T>(string name) where T : class, IDocument;

    /// <summary>The same collection seen as an outbox (its documents' pending events).</summary>
    IOutboxStore GetOutboxStore<T>(string name) where T : class, IOutboxDocument;

    /// <summary>True when the database answers; used by the readiness check.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken = default);
}
