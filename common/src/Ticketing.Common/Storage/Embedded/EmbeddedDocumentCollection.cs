using System.Linq.Expressions;
using LiteDB;
using Ticketing.Common.Outbox;

namespace Ticketing.Common.Storage.Embedded;

/// <summary>
/// A LiteDB collection behind <see cref="IDocumentCollection{T}"/> and, for outbox documents, <see cref="IOutboxStore"/>.
/// Every operation passes the database's async gate (<see cref="EmbeddedDocumentDatabase"/>): a caller waiting for
/// it holds no thread. Outbox documents also carry a top-level, indexed <c>OutboxSince</c> (the UTC ticks of their
/// oldest pending event, absent when none), written in the same write, so the relay's query reads only the
/// documents with pending events, oldest first, whatever the collection's size.
/// </summary>
internal sealed class EmbeddedDocumentCollection<T>(LiteDatabase database, string name, SemaphoreSlim gate)
    : IDocumentCollection<T>, IOutboxStore
    where T : class, IDocument
{
    private const string OutboxField = nameof(IOutboxDocument.Outbox);
    internal const string OutboxSinceField = "OutboxSince";
    private static readonly bool IsOutboxDocument = typeof(IOutboxDocument).IsAssignableFrom(typeof(T));

    private readonly ILiteCollection<T> _collection = database.GetCollection<T>(name);
    private readonly ILiteCollection<BsonDocument> _raw = database.GetCollection(name);
    private bool _outboxIndexed;

    public string Name => name;

    public async Task<T?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            return _collection.FindById(id);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<IReadOnlyList<T>> FindAsync(
        Expression<Func<T, bool>> filter,
        FindOptions<T>? options = null,
        CancellationToken cancellationToken = default)
    {
        var query = _collection.Query().Where(filter);
        if (options?.OrderBy is { } orderBy)
        {
            if (options.After is { } after)
            {
                // Same key as the order, so LiteDB walks one index range from the cursor on.
                var key = database.Mapper.GetExpression(orderBy).Source;
                query = query.Where(BsonExpression.Create($"{key} {(options.Descending ? "<" : ">")} @0", new BsonValue(after)));
            }

            query = options.Descending ? query.OrderByDescending(orderBy) : query.OrderBy(orderBy);
        }
        else if (options?.After is not null)
        {
            throw new ArgumentException("Keyset paging (After) needs an OrderBy key.", nameof(options));
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            return query.Skip(options?.Skip ?? 0).Limit(options?.Limit ?? int.MaxValue).ToList();
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<WriteResult> InsertAsync(T document, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (IsOutboxDocument)
            {
                _raw.Insert(ToStored(document));
            }
            else
            {
                _collection.Insert(document);
            }

            return WriteResult.Ok;
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            return WriteResult.Duplicate;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<WriteResult> ReplaceAsync(
        T document,
        Expression<Func<T, bool>> expected,
        CancellationToken cancellationToken = default)
    {
        var id = document.Id;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!_collection.Exists(d => d.Id == id))
            {
                return WriteResult.NotFound;
            }

            if (!_collection.Query().Where(d => d.Id == id).Where(expected).Exists())
            {
                return WriteResult.Conflict;
            }

            if (IsOutboxDocument)
            {
                _raw.Update(ToStored(document));
            }
            else
            {
                _collection.Update(document);
            }

            return WriteResult.Ok;
        }
        catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
        {
            return WriteResult.Duplicate;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task EnsureIndexAsync<TKey>(
        string name,
        Expression<Func<T, TKey>> key,
        bool unique,
        CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            _collection.EnsureIndex(name, key, unique);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<IReadOnlyList<PendingEvents>> FindPendingAsync(int maxDocuments, CancellationToken cancellationToken = default)
    {
        List<BsonDocument> documents;
        await gate.WaitAsync(cancellationToken);
        try
        {
            EnsureOutboxIndex();
            documents = _raw.Query()
                .Where($"$.{OutboxSinceField} > 0")
                .OrderBy($"$.{OutboxSinceField}")
                .Limit(maxDocuments)
                .ToList();
        }
        finally
        {
            gate.Release();
        }

        return documents
            .Select(doc => new PendingEvents(
                doc["_id"].AsString,
                doc[OutboxField].AsArray.Select(m => database.Mapper.Deserialize<OutboxMessage>(m)).ToList()))
            .Where(p => p.Messages.Count > 0)
            .ToList();
    }

    public async Task RemovePendingAsync(string documentId, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var doc = _raw.FindById(documentId);
            if (doc is null || !doc[OutboxField].IsArray)
            {
                return;
            }

            var kept = doc[OutboxField].AsArray
                .Where(m => !messageIds.Contains(m[nameof(OutboxMessage.MessageId)].AsString))
                .ToList();
            doc[OutboxField] = new BsonArray(kept);
            SetOutboxSince(doc);
            _raw.Update(doc);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The document as stored: the mapper's form plus <c>OutboxSince</c>.</summary>
    private BsonDocument ToStored(T document)
    {
        var stored = database.Mapper.ToDocument(document);
        SetOutboxSince(stored);
        return stored;
    }

    private static void SetOutboxSince(BsonDocument stored)
    {
        var occurred = stored[OutboxField].IsArray
            ? stored[OutboxField].AsArray.Select(m => m[nameof(OutboxMessage.OccurredAt)]).Where(v => v.IsInt64).Select(v => v.AsInt64).ToList()
            : [];
        if (occurred.Count > 0)
        {
            stored[OutboxSinceField] = occurred.Min();
        }
        else
        {
            stored.Remove(OutboxSinceField);
        }
    }

    /// <summary>
    /// Creates the <c>OutboxSince</c> index once, and gives the field to documents written before it existed
    /// (a one-time scan of the documents whose outbox is not empty).
    /// </summary>
    private void EnsureOutboxIndex()
    {
        if (_outboxIndexed)
        {
            return;
        }

        _raw.EnsureIndex(OutboxSinceField, $"$.{OutboxSinceField}");
        foreach (var legacy in _raw.Find($"COUNT($.{OutboxField}) > 0 AND $.{OutboxSinceField} = null").ToList())
        {
            SetOutboxSince(legacy);
            _raw.Update(legacy);
        }

        _outboxIndexed = true;
    }
}
