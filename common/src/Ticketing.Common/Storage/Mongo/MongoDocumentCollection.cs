using System.Linq.Expressions;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using Ticketing.Common.Outbox;

namespace Ticketing.Common.Storage.Mongo;

/// <summary>A MongoDB collection behind <see cref="IDocumentCollection{T}"/> and, for outbox documents, <see cref="IOutboxStore"/>.</summary>
internal sealed class MongoDocumentCollection<T>(IMongoCollection<T> collection) : IDocumentCollection<T>, IOutboxStore
    where T : class, IDocument
{
    private static FilterDefinition<T> ById(string id) => Builders<T>.Filter.Eq("_id", id);

    public string Name => collection.CollectionNamespace.CollectionName;

    public async Task<T?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await collection.Find(ById(id)).FirstOrDefaultAsync(cancellationToken);

    public async Task<IReadOnlyList<T>> FindAsync(
        Expression<Func<T, bool>> filter,
        FindOptions<T>? options = null,
        CancellationToken cancellationToken = default)
    {
        var find = collection.Find(filter);
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

    public async Task<WriteResult> InsertAsync(T document, CancellationToken cancellationToken = default)
    {
        try
        {
            await collection.InsertOneAsync(document, cancellationToken: cancellationToken);
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
            var result = await collection.ReplaceOneAsync(filter, document, cancellationToken: cancellationToken);
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
        var outbox = OutboxElementName();
        var raw = collection.Database.GetCollection<BsonDocument>(Name);
        var docs = await raw.Find(Builders<BsonDocument>.Filter.Exists($"{outbox}.0"))
            .Project(Builders<BsonDocument>.Projection.Include(outbox))
            .Limit(maxDocuments)
            .ToListAsync(cancellationToken);
        return docs
            .Select(doc => new PendingEvents(
                doc["_id"].AsString,
                doc[outbox].AsBsonArray.Select(m => BsonSerializer.Deserialize<OutboxMessage>(m.AsBsonDocument)).ToList()))
            .OrderBy(p => p.Messages[0].OccurredAt)
            .ToList();
    }

    public async Task RemovePendingAsync(string documentId, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        var outbox = OutboxElementName();
        var messageIdField = BsonClassMap.LookupClassMap(typeof(OutboxMessage)).GetMemberMap(nameof(OutboxMessage.MessageId)).ElementName;
        var raw = collection.Database.GetCollection<BsonDocument>(Name);
        var pull = Builders<BsonDocument>.Update.PullFilter(
            outbox,
            Builders<BsonDocument>.Filter.In(messageIdField, messageIds.Select(id => (BsonValue)id)));
        await raw.UpdateOneAsync(Builders<BsonDocument>.Filter.Eq("_id", documentId), pull, cancellationToken: cancellationToken);
    }

    private static string OutboxElementName() =>
        BsonClassMap.LookupClassMap(typeof(T)).GetMemberMap(nameof(IOutboxDocument.Outbox)).ElementName;
}
