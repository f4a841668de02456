using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Conventions;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;
using Ticketing.Common.Outbox;

namespace Ticketing.Common.Storage.Mongo;

/// <summary>
/// MongoDB behind <see cref="IDocumentDatabase"/>: one database per service. Documents are stored with
/// camelCase fields, enums as strings, money as Decimal128 and times as {dateTime, ticks, offset} (exact
/// and readable). Server selection times out in seconds, not the driver's 30 s default, so readiness reports
/// a missing server promptly.
/// </summary>
public sealed class MongoDocumentDatabase : IDocumentDatabase
{
    private static readonly Lock SerializationSetupGate = new();
    private static bool _serializationConfigured;

    private readonly MongoClient _client;

    public MongoDocumentDatabase(string connectionString, string defaultDatabaseName, MongoDurability? durability = null)
    {
        ConfigureSerialization();
        var url = MongoUrl.Create(connectionString);
        var settings = MongoClientSettings.FromUrl(url);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(5);
        settings.ConnectTimeout = TimeSpan.FromSeconds(5);
        durability ??= MongoDurability.Default;
        // A write is acknowledged once a majority of the replica set has it in its journal: a primary that fails
        // right after cannot take it along. Retryable writes let the driver retry once across an election.
        settings.WriteConcern = new WriteConcern(WriteConcern.WValue.Parse(durability.WriteConcern), journal: durability.Journal);
        settings.RetryWrites = durability.RetryWrites;
        settings.RetryReads = true;
        _client = new MongoClient(settings);
        Database = _client.GetDatabase(string.IsNullOrEmpty(url.DatabaseName) ? defaultDatabaseName : url.DatabaseName);
    }

    public IMongoDatabase Database { get; }

    /// <summary>The client settings in use (write concern, retryable writes, timeouts).</summary>
    public MongoClientSettings Settings => _client.Settings;
    public string Provider => "mongodb";

    public IDocumentCollection<T> GetCollection<T>(string name) where T : class, IDocument =>
        new MongoDocumentCollection<T>(Database.GetCollection<T>(name));

    public IOutboxStore GetOutboxStore<T>(string name) where T : class, IOutboxDocument =>
        new MongoDocumentCollection<T>(Database.GetCollection<T>(name));

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        await Database.RunCommandAsync((Command<BsonDocument>)"{ ping: 1 }", cancellationToken: cancellationToken);
        return true;
    }

    public void Dispose() => _client.Dispose();

    private static void ConfigureSerialization()
    {
        lock (SerializationSetupGate)
        {
            if (_serializationConfigured)
            {
                return;
            }

            ConventionRegistry.Register(
                "ticketing",
                new ConventionPack
                {
                    new CamelCaseElementNameConvention(),
                    new EnumRepresentationConvention(BsonType.String),
                    new IgnoreExtraElementsConvention(true),
                },
                type => type.Namespace?.StartsWith("Ticketing", StringComparison.Ordinal) == true);
            BsonSerializer.TryRegisterSerializer(new DecimalSerializer(BsonType.Decimal128));
            BsonSerializer.TryRegisterSerializer(new DateTimeOffsetSerializer(BsonType.Document));
            _serializationConfigured = true;
        }
    }
}

/// <summary>
/// How durable a MongoDB write is before it is acknowledged. Defaults: <c>w: majority</c>, journaled, retryable
/// writes (<c>MONGO_WRITE_CONCERN</c>, <c>MONGO_JOURNAL</c>, <c>MONGO_RETRY_WRITES</c>). Against a standalone
/// server majority is the one server and retryable writes are simply not used; production runs a replica set.
/// </summary>
public sealed record MongoDurability(string WriteConcern = "majority", bool Journal = true, bool RetryWrites = true)
{
    public static MongoDurability Default { get; } = new();
}
