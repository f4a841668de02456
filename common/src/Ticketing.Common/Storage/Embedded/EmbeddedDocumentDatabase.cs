using LiteDB;
using Ticketing.Common.Outbox;

namespace Ticketing.Common.Storage.Embedded;

/// <summary>
/// The embedded store: one LiteDB file per service, opened exclusively by one process. Every operation goes
/// through one async gate per file (a <see cref="SemaphoreSlim"/>: a waiting caller holds no thread-pool thread,
/// unlike the <c>lock</c> it replaces). For writes this makes a compare-and-set (read the current state, check it,
/// write) atomic: LiteDB's own transactions do not make read-check-write atomic across threads (measured: half
/// the updates were lost with BeginTrans). Reads take the gate too: LiteDB 5.0.21 can fail a read that runs
/// while another thread writes ("page type must be collection page", litedb-org/LiteDB#2792; reproduced by
/// <c>ReadingACollection_WhileItsFirstDocumentIsWritten_NeverFails</c> about one run in six before this).
/// Operations take well under a millisecond, and this store serves local runs and tests, not production load.
/// </summary>
public sealed class EmbeddedDocumentDatabase : IDocumentDatabase
{
    private readonly LiteDatabase _database;
    private readonly FileStream _lock;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public EmbeddedDocumentDatabase(string filePath)
    {
        FilePath = Path.GetFullPath(filePath);
        var folder = Path.GetDirectoryName(FilePath)!;
        Directory.CreateDirectory(folder);
        _lock = TakeLock(folder, FilePath + ".lock");
        try
        {
            _database = new LiteDatabase(
                new ConnectionString { Filename = FilePath, Connection = ConnectionType.Direct },
                CreateMapper());
        }
        catch (IOException ex)
        {
            _lock.Dispose();
            throw new IOException(
                $"The embedded database {FilePath} could not be opened: is another process using it? " +
                "Each service needs its own data file (set DATA_DIR) or a MONGO_URI.", ex);
        }
        catch
        {
            _lock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// LiteDB takes no exclusive lock on Linux: two processes on one file both accept writes and one's vanish. A lock
    /// file opened with <see cref="FileShare.None"/> (an exclusive <c>flock</c> on Linux, released by the kernel
    /// when the process dies) is held for the store's lifetime, so a second process stops at start instead.
    /// </summary>
    private static FileStream TakeLock(string folder, string lockPath)
    {
        try
        {
            var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            var owner = System.Text.Encoding.UTF8.GetBytes($"pid {Environment.ProcessId} on {Environment.MachineName}\n");
            stream.Write(owner);
            stream.Flush();
            return stream;
        }
        catch (IOException ex)
        {
            throw new StoreLockedException(folder, lockPath, ex);
        }
    }

    public string FilePath { get; }
    public string Provider => "embedded";

    public IDocumentCollection<T> GetCollection<T>(string name) where T : class, IDocument =>
        new EmbeddedDocumentCollection<T>(_database, name, _gate);

    public IOutboxStore GetOutboxStore<T>(string name) where T : class, IOutboxDocument =>
        new EmbeddedDocumentCollection<T>(_database, name, _gate);

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _ = _database.GetCollectionNames().Take(1).ToList();
        }
        finally
        {
            _gate.Release();
        }

        return true;
    }

    public void Dispose()
    {
        _database.Dispose();
        _lock.Dispose();
        _gate.Dispose();
    }

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

/// <summary>Another process holds the embedded store in this folder. The service stops at start with this message.</summary>
public sealed class StoreLockedException(string folder, string lockPath, Exception inner) : InvalidOperationException(
    $"The embedded store in {folder} is in use by another process (it holds {lockPath}). " +
    "Stop that process, or give this one its own DATA_DIR (or a MONGO_URI): two processes on one data folder lose writes.",
    inner)
{
    public string Folder { get; } = folder;
}
