using System.Diagnostics;
using Ticketing.Common.Events;
using Ticketing.Common.Outbox;
using Ticketing.Common.Storage;
using Ticketing.Common.Storage.Embedded;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Bench;

/// <summary>A document with an outbox, as services' aggregates are.</summary>
public sealed record BenchDocument : IOutboxDocument
{
    public required string Id { get; init; }
    public long Version { get; init; }
    public required string Name { get; init; }
    public OutboxMessage[] Outbox { get; init; } = [];
}

/// <summary>
/// The embedded store on its own (no NATS, no HTTP): how long the outbox relay's query takes at 1k and 50k
/// documents (10 of them with pending events), and read + compare-and-set throughput with concurrent workers.
/// Usage: <c>dotnet run --project bench/Ticketing.Bench -c Release -- store [--docs 1000,50000] [--workers 16] [--seconds 3]</c>.
/// </summary>
public static class StoreBench
{
    public static async Task RunAsync(string[] args, TextWriter log)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var sizes = (Arg("--docs") ?? "1000,50000").Split(',').Select(int.Parse).ToArray();
        var workers = int.Parse(Arg("--workers") ?? "16");
        var seconds = double.Parse(Arg("--seconds") ?? "3", System.Globalization.CultureInfo.InvariantCulture);

        foreach (var size in sizes)
        {
            using var folder = new TempDirectory("ticketing-storebench");
            using var database = new EmbeddedDocumentDatabase(Path.Combine(folder.Path, "bench.db"));
            var collection = database.GetCollection<BenchDocument>("docs");
            var outbox = database.GetOutboxStore<BenchDocument>("docs");
            var ids = new List<string>(size);
            for (var i = 0; i < size; i++)
            {
                var pending = i % (size / 10) == 0;
                var id = DocumentIds.New();
                ids.Add(id);
                await collection.InsertAsync(new BenchDocument
                {
                    Id = id,
                    Name = $"doc {i}",
                    Outbox = pending ? [OutboxMessage.Create(new TicketCreatedV1(id, 0, "t", 1m, "u"), DateTimeOffset.UtcNow.AddMinutes(-i % 7))] : [],
                });
            }

            await outbox.FindPendingAsync(100); // warm-up (and, where it exists, the index)
            var times = new List<double>();
            var found = 0;
            for (var i = 0; i < 20; i++)
            {
                var started = Stopwatch.GetTimestamp();
                found = (await outbox.FindPendingAsync(100)).Count;
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            log.WriteLine($"relay query        docs={size,6}  pending={found,3}  median {Stats.Of(times).Median,8:0.000} ms  p95 {Stats.Of(times).P95,8:0.000} ms");

            var (ops, conflicts, threads) = await ReadCasAsync(collection, ids, workers, TimeSpan.FromSeconds(seconds));
            log.WriteLine($"read+CAS           docs={size,6}  workers={workers}  {ops / seconds,8:0} ok/s  conflicts {conflicts / seconds,6:0}/s  thread-pool threads {threads}");
        }
    }

    private static async Task<(long Ok, long Conflicts, int Threads)> ReadCasAsync(
        IDocumentCollection<BenchDocument> collection, List<string> ids, int workers, TimeSpan duration)
    {
        long ok = 0, conflicts = 0;
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var maxThreads = 0;
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (Stopwatch.GetTimestamp() < until)
            {
                var current = (await collection.GetAsync(ids[random.Next(Math.Min(ids.Count, 200))]))!;
                var version = current.Version;
                var result = await collection.ReplaceAsync(current with { Version = version + 1 }, d => d.Version == version);
                if (result == WriteResult.Ok)
                {
                    Interlocked.Increment(ref ok);
                }
                else
                {
                    Interlocked.Increment(ref conflicts);
                }

                var threads = ThreadPool.ThreadCount;
                if (threads > Volatile.Read(ref maxThreads))
                {
                    Volatile.Write(ref maxThreads, threads);
                }
            }
        })).ToList();
        await Task.WhenAll(tasks);
        return (ok, conflicts, maxThreads);
    }
}
