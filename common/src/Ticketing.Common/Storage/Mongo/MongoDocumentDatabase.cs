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

    public MongoDocumentDatabase(string connectionString, string defaultDatabaseName)
    {
        ConfigureSerialization();
        var url = MongoUrl.Create(connectionString);
        var settings = MongoClientSettings.FromUrl(url);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(5);
        settings.ConnectTimeout = TimeSpan.FromSeconds(5);
        _client = new MongoClient(settings);
        Database = _client.GetDatabase(string.IsNullOrEmpty(url.DatabaseName) ? defaultDatabaseName : url.DatabaseName);
    }

    public IMongoDatabase Database { get; }
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
