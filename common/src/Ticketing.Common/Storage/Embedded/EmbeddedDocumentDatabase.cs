using LiteDB;
using Ticketing.Common.Outbox;

namespace Ticketing.Common.Storage.Embedded;

/// <summary>
/// The embedded store: one LiteDB file per service, opened exclusively by one process. Every operation goes
/// through one gate per file. For writes this makes a compare-and-set (read the current state, check it,
/// write) atomic: LiteDB's own transactions do not make read-check-write atomic across threads (measured: half
/// the updates were lost with BeginTrans). Reads take the gate too: LiteDB 5.0.21 can fail a read that runs
/// while another thread writes ("page type must be collection page", litedb-org/LiteDB#2792; reproduced by
/// <c>ReadingACollection_WhileItsFirstDocumentIsWritten_NeverFails</c> about one run in six before this).
/// Operations take well under a millisecond, and this store serves local runs and tests, not production load.
/// </summary>
public sealed class EmbeddedDocumentDatabase : IDocumentDatabase
{
    private readonly LiteDatabase _database;
    private readonly Lock _gate = new();

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
        new EmbeddedDocumentCollection<T>(_database, name, _gate);

    public IOutboxStore GetOutboxStore<T>(string name) where T : class, IOutboxDocument =>
        new EmbeddedDocumentCollection<T>(_database, name, _gate);

    public Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _ = _database.GetCollectionNames().Take(1).ToList();
        }

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
