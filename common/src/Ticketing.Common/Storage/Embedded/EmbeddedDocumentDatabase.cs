using LiteDB;
using Ticketing.Common.Outbox;

namespace Ticketing.Common.Storage.Embedded;

/// <summary>
/// The embedded store: one LiteDB file per service, opened exclusively by one process. All writes go
/// through one gate per file, so a compare-and-set (read the current state, check it, write) is atomic:
/// LiteDB's own transactions do not make read-check-write atomic across threads (measured: half the
/// updates were lost with BeginTrans), the gate does.
/// </summary>
public sealed class EmbeddedDocumentDatabase : IDocumentDatabase
{
    private readonly LiteDatabase _database;
    private readonly Lock _writeGate = new();

    public EmbeddedDocumentDatabase(string filePath)
    {
        FilePath = Path.GetFullPath(filePath);
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        try
        {
            _database = new LiteDatabase(
                new ConnectionString { Filename = FilePath, Connection = ConnectionType.Direct },
                CreateMapper());
        }
        catch (IOException ex)
        {
            throw new IOException(
                $"The embedded database {FilePath} could not be opened: is another process using it? " +
                "Each service needs its own data file (set DATA_DIR) or a MONGO_URI.", ex);
        }
    }

    public string FilePath { get; }
    public string Provider => "embedded";

    public IDocumentCollection<T> GetCollection<T>(string name) where T : class, IDocument =>
        new EmbeddedDocumentCollection<T>(_database, name, _writeGate);

    public IOutboxStore GetOutboxStore<T>(string name) where T : class, IOutboxDocument =>
        new EmbeddedDocumentCollection<T>(_database, name, _writeGate);

    public Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        _ = _database.GetCollectionNames().Take(1).ToList();
        return Task.FromResult(true);
    }

    public void Dispose() => _database.Dispose();

    private static BsonMapper CreateMapper()
    {
        var mapper = new BsonMapper { EnumAsInteger = false, SerializeNullValues = false, TrimWhitespace = false, EmptyStringToNull = false };
        // Ticks keep full precision and sort correctly; LiteDB's own DateTime keeps only milliseconds.
        mapper.RegisterType(
            serialize: (DateTimeOffset value) => new BsonValue(value.UtcTicks),
            deserialize: bson => new DateTimeOffset(bson.AsInt64, TimeSpan.Zero));
        return mapper;
    }
}
