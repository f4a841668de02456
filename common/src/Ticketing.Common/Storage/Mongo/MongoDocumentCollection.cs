using System.Linq.Expressions;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using Ticketing.Common.Outbox;

namespace Ticketing.Common.Storage.Mongo;

/// <summary>
/// A MongoDB collection behind <see cref="IDocumentCollection{T}"/> and, for outbox documents, <see cref="IOutboxStore"/>.
/// Outbox documents also carry a top-level, indexed <c>outboxSince</c> (UTC ticks of their oldest pending event,
/// absent when none) written in the same single-document write, so the relay reads only documents with pending
/// events, oldest first, whatever the collection's size.
/// </summary>
internal sealed class MongoDocumentCollection<T>(IMongoCollection<T> collection) : IDocumentCollection<T>, IOutboxStore
    where T : class, IDocument
{
    internal const string OutboxSinceField = "outboxSince";
    private static readonly bool IsOutboxDocument = typeof(IOutboxDocument).IsAssignableFrom(typeof(T));
    private volatile bool _outboxIndexed;

    private static FilterDefinition<T> ById(string id) => Builders<T>.Filter.Eq("_id", id);

    private IMongoCollection<BsonDocument> Raw => collection.Database.GetCollection<BsonDocument>(Name);

    /// <summary>The document as stored: the serializer's form plus <c>outboxSince</c>.</summary>
    private BsonDocument ToStored(T document)
    {
        var stored = document.ToBsonDocument(collection.DocumentSerializer);
        SetOutboxSince(stored, ((IOutboxDocument)document).Outbox);
        return stored;
    }

    private static void SetOutboxSince(BsonDocument stored, IReadOnlyCollection<OutboxMessage> pending)
    {
        if (pending.Count > 0)
        {
            stored[OutboxSinceField] = pending.Min(m => m.OccurredAt.UtcTicks);
        }
        else
        {
            stored.Remove(OutboxSinceField);
        }
    }

    public string Name => collection.CollectionNamespace.CollectionName;

    public async Task<T?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await collection.Find(ById(id)).FirstOrDefaultAsync(cancellationToken);

    public async Task<IReadOnlyList<T>> FindAsync(
        Expression<Func<T, bool>> filter,
        FindOptions<T>? options = null,
        CancellationToken cancellationToken = default)
    {
        var find = collection.Find(Filtered(filter, options));
        if (options?.OrderBy is { } orderBy)
        {
            find = options.Descending ? find.SortByDescending(orderBy) : find.SortBy(orderBy);
        }

        if (options?.Skip > 0)
        {
            find = find.Skip(options.Skip);
        }

        if (options?.Limit is { } limit)
        {
            find = find.Limit(limit);
        }

        return await find.ToListAsync(cancellationToken);
    }

    /// <summary>The filter, and with <see cref="FindOptions{T}.After"/> the keyset bound on the sort key (one index range).</summary>
    internal FilterDefinition<T> Filtered(Expression<Func<T, bool>> filter, FindOptions<T>? options)
    {
        FilterDefinition<T> where = filter;
        if (options?.After is not { } after)
        {
            return where;
        }

        var orderBy = options.OrderBy ?? throw new ArgumentException("Keyset paging (After) needs an OrderBy key.", nameof(options));
        var field = new ExpressionFieldDefinition<T, object?>(orderBy)
            .Render(new RenderArgs<T>(collection.DocumentSerializer, BsonSerializer.SerializerRegistry)).FieldName;
        var bound = options.Descending ? Builders<T>.Filter.Lt(field, after) : Builders<T>.Filter.Gt(field, after);
        return Builders<T>.Filter.And(where, bound);
    }

    public async Task<WriteResult> InsertAsync(T document, CancellationToken cancellationToken = default)
    {
        try
        {
            if (IsOutboxDocument)
            {
                await Raw.InsertOneAsync(ToStored(document), cancellationToken: cancellationToken);
            }
            else
            {
                await collection.InsertOneAsync(document, cancellationToken: cancellationToken);
            }

            return WriteResult.Ok;
        }
        catch (MongoWriteException ex) when (ex.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return WriteResult.Duplicate;
        }
    }

    public async Task<WriteResult> ReplaceAsync(
        T document,
        Expression<Func<T, bool>> expected,
        CancellationToken cancellationToken = default)
    {
        try
        {
            // One server-side operation: the filter is the compare, the replacement the set.
            var filter = Builders<T>.Filter.And(ById(document.Id), Builders<T>.Filter.Where(expected));
            ReplaceOneResult result;
            if (IsOutboxDocument)
            {
                var rendered = filter.Render(new RenderArgs<T>(collection.DocumentSerializer, collection.Settings.SerializerRegistry));
                result = await Raw.ReplaceOneAsync(new BsonDocumentFilterDefinition<BsonDocument>(rendered), ToStored(document), cancellationToken: cancellationToken);
            }
            else
            {
                result = await collection.ReplaceOneAsync(filter, document, cancellationToken: cancellationToken);
            }

            if (result.MatchedCount == 1)
            {
                return WriteResult.Ok;
            }
        }
        catch (MongoWriteException ex) when (ex.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return WriteResult.Duplicate;
        }

        var exists = await collection.Find(ById(document.Id)).Limit(1).CountDocumentsAsync(cancellationToken) > 0;
        return exists ? WriteResult.Conflict : WriteResult.NotFound;
    }

    public async Task EnsureIndexAsync<TKey>(
        string name,
        Expression<Func<T, TKey>> key,
        bool unique,
        CancellationToken cancellationToken = default)
    {
        var keys = Builders<T>.IndexKeys.Ascending(new ExpressionFieldDefinition<T>(key));
        await collection.Indexes.CreateOneAsync(
            new CreateIndexModel<T>(keys, new CreateIndexOptions { Name = name, Unique = unique }),
            cancellationToken: cancellationToken);
    }

    public async Task<IReadOnlyList<PendingEvents>> FindPendingAsync(int maxDocuments, CancellationToken cancellationToken = default)
    {
        await EnsureOutboxIndexAsync(cancellationToken);
        var outbox = OutboxElementName();
        var docs = await Raw.Find(Builders<BsonDocument>.Filter.Exists(OutboxSinceField))
            .Sort(Builders<BsonDocument>.Sort.Ascending(OutboxSinceField))
            .Project(Builders<BsonDocument>.Projection.Include(outbox))
            .Limit(maxDocuments)
            .ToListAsync(cancellationToken);
        return docs
            .Select(doc => new PendingEvents(
                doc["_id"].AsString,
                doc[outbox].AsBsonArray.Select(m => BsonSerializer.Deserialize<OutboxMessage>(m.AsBsonDocument)).ToList()))
            .Where(p => p.Messages.Count > 0)
            .ToList();
    }

    public async Task RemovePendingAsync(string documentId, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        var outbox = OutboxElementName();
        // Compare-and-set on the outbox array as read, so outboxSince always matches the events left.
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var doc = await Raw.Find(Builders<BsonDocument>.Filter.Eq("_id", documentId))
                .Project(Builders<BsonDocument>.Projection.Include(outbox))
                .FirstOrDefaultAsync(cancellationToken);
            if (doc is null || !doc.TryGetValue(outbox, out var current) || !current.IsBsonArray)
            {
                return;
            }

            var keptValues = current.AsBsonArray.Where(m => !messageIds.Contains(BsonSerializer.Deserialize<OutboxMessage>(m.AsBsonDocument).MessageId)).ToList();
            var kept = keptValues.Select(m => BsonSerializer.Deserialize<OutboxMessage>(m.AsBsonDocument)).ToList();
            var update = Builders<BsonDocument>.Update.Set(outbox, new BsonArray(keptValues));
            update = kept.Count > 0
                ? update.Set(OutboxSinceField, kept.Min(m => m.OccurredAt.UtcTicks))
                : update.Unset(OutboxSinceField);
            var filter = Builders<BsonDocument>.Filter.And(
                Builders<BsonDocument>.Filter.Eq("_id", documentId),
                Builders<BsonDocument>.Filter.Eq(outbox, current));
            var result = await Raw.UpdateOneAsync(filter, update, cancellationToken: cancellationToken);
            if (result.MatchedCount == 1)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Creates the <c>outboxSince</c> index once, and gives the field to documents written before it existed
    /// (their outbox is not empty but they have none).
    /// </summary>
    private async Task EnsureOutboxIndexAsync(CancellationToken cancellationToken)
    {
        if (_outboxIndexed)
        {
            return;
        }

        await Raw.Indexes.CreateOneAsync(
            new CreateIndexModel<BsonDocument>(
                Builders<BsonDocument>.IndexKeys.Ascending(OutboxSinceField),
                new CreateIndexOptions { Name = OutboxSinceField, Sparse = true }),
            cancellationToken: cancellationToken);
        var outbox = OutboxElementName();
        var legacy = await Raw.Find(Builders<BsonDocument>.Filter.And(
                Builders<BsonDocument>.Filter.Exists($"{outbox}.0"),
                Builders<BsonDocument>.Filter.Exists(OutboxSinceField, exists: false)))
            .Project(Builders<BsonDocument>.Projection.Include(outbox))
            .ToListAsync(cancellationToken);
        foreach (var doc in legacy)
        {
            var since = doc[outbox].AsBsonArray.Select(m => BsonSerializer.Deserialize<OutboxMessage>(m.AsBsonDocument).OccurredAt.UtcTicks).Min();
            await Raw.UpdateOneAsync(
                Builders<BsonDocument>.Filter.And(Builders<BsonDocument>.Filter.Eq("_id", doc["_id"]), Builders<BsonDocument>.Filter.Exists(OutboxSinceField, exists: false)),
                Builders<BsonDocument>.Update.Set(OutboxSinceField, since),
                cancellationToken: cancellationToken);
        }

        _outboxIndexed = true;
    }

    private static string OutboxElementName() =>
        BsonClassMap.LookupClassMap(typeof(T)).GetMemberMap(nameof(IOutboxDocument.Outbox)).ElementName;
}
