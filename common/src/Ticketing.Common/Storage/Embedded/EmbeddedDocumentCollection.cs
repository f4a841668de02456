using System.Linq.Expressions;
using LiteDB;
using Ticketing.Common.Outbox;

namespace Ticketing.Common.Storage.Embedded;

/// <summary>A LiteDB collection behind <see cref="IDocumentCollection{T}"/> and, for outbox documents, <see cref="IOutboxStore"/>.</summary>
internal sealed class EmbeddedDocumentCollection<T>(LiteDatabase database, string name, Lock gate)
    : IDocumentCollection<T>, IOutboxStore
    where T : class, IDocument
{
    private const string OutboxField = nameof(IOutboxDocument.Outbox);

    private readonly ILiteCollection<T> _collection = database.GetCollection<T>(name);

    public string Name => name;

    public Task<T?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<T?>(_collection.FindById(id));
        }
    }

    public Task<IReadOnlyList<T>> FindAsync(
        Expression<Func<T, bool>> filter,
        FindOptions<T>? options = null,
        CancellationToken cancellationToken = default)
    {
        var query = _collection.Query().Where(filter);
        if (options?.OrderBy is { } orderBy)
        {
            query = options.Descending ? query.OrderByDescending(orderBy) : query.OrderBy(orderBy);
        }

        lock (gate)
        {
            var result = query.Skip(options?.Skip ?? 0).Limit(options?.Limit ?? int.MaxValue).ToList();
            return Task.FromResult<IReadOnlyList<T>>(result);
        }
    }

    public Task<WriteResult> InsertAsync(T document, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            try
            {
                _collection.Insert(document);
                return Task.FromResult(WriteResult.Ok);
            }
            catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
            {
                return Task.FromResult(WriteResult.Duplicate);
            }
        }
    }

    public Task<WriteResult> ReplaceAsync(
        T document,
        Expression<Func<T, bool>> expected,
        CancellationToken cancellationToken = default)
    {
        var id = document.Id;
        lock (gate)
        {
            if (!_collection.Exists(d => d.Id == id))
            {
                return Task.FromResult(WriteResult.NotFound);
            }

            if (!_collection.Query().Where(d => d.Id == id).Where(expected).Exists())
            {
                return Task.FromResult(WriteResult.Conflict);
            }

            try
            {
                _collection.Update(document);
                return Task.FromResult(WriteResult.Ok);
            }
            catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
            {
                return Task.FromResult(WriteResult.Duplicate);
            }
        }
    }

    public Task EnsureIndexAsync<TKey>(
        string name,
        Expression<Func<T, TKey>> key,
        bool unique,
        CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            _collection.EnsureIndex(name, key, unique);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PendingEvents>> FindPendingAsync(int maxDocuments, CancellationToken cancellationToken = default)
    {
        var raw = database.GetCollection(name);
        List<BsonDocument> documents;
        lock (gate)
        {
            documents = raw.Query().Where($"COUNT($.{OutboxField}) > 0").Limit(maxDocuments).ToList();
        }

        var pending = documents
            .Select(doc => new PendingEvents(
                doc["_id"].AsString,
                doc[OutboxField].AsArray.Select(m => database.Mapper.Deserialize<OutboxMessage>(m)).ToList()))
            .OrderBy(p => p.Messages[0].OccurredAt)
            .ToList();
        return Task.FromResult<IReadOnlyList<PendingEvents>>(pending);
    }

    public Task RemovePendingAsync(string documentId, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        var raw = database.GetCollection(name);
        lock (gate)
        {
            var doc = raw.FindById(documentId);
            if (doc is null || !doc[OutboxField].IsArray)
            {
                return Task.CompletedTask;
            }

            var kept = doc[OutboxField].AsArray
                .Where(m => !messageIds.Contains(m[nameof(OutboxMessage.MessageId)].AsString))
                .ToList();
            doc[OutboxField] = new BsonArray(kept);
            raw.Update(doc);
        }

        return Task.CompletedTask;
    }
}
