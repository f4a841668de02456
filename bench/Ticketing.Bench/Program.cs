using System.Globalization;
using System.Text.Json;
using Ticketing.Bench;
using Ticketing.Bench.Platform;
using Ticketing.Common.Testing.Processes;

// The whole platform under load (starts it as ./run.sh does, or attaches with --url), report in markdown + JSON:
//        dotnet run --project bench/Ticketing.Bench -c Release -- platform [--quick] [--url http://localhost:8080 --nats nats://127.0.0.1:4222]
//        (options: bench/README.md)
if (args.FirstOrDefault() == "platform")
{
    var platformOptions = PlatformBenchOptions.Parse(args);
    var platformReport = await PlatformBench.RunAsync(platformOptions, Console.Out);
    var (jsonPath, markdownPath) = await PlatformBench.WriteAsync(platformReport, platformOptions.OutputDirectory);
    Console.WriteLine($"\n{platformReport.ToMarkdown()}\nWritten to {jsonPath} and {markdownPath}");
    return platformReport.TotalErrors == 0 ? 0 : 2;
}

// Usage: dotnet run --project bench/Ticketing.Bench -c Release -- [--rounds 5] [--samples 200] [--warmup 30] [--out artifacts/bench]
//        dotnet run --project bench/Ticketing.Bench -c Release -- read-path [--stored 100,10000] [--rate 500] [--seconds 5] [--concurrency 16]
if (args.FirstOrDefault() == "read-path")
{
    var readOptions = ReadPathOptions.Parse(args);
    var readReport = await ReadPathBench.RunAsync(readOptions, Console.Out);
    Directory.CreateDirectory(readOptions.OutputDirectory);
    var stem = Path.Combine(readOptions.OutputDirectory, $"read-path-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
    await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(readReport, new JsonSerializerOptions { WriteIndented = true }));
    var markdown = ReadPathBench.ToMarkdown(readReport);
    await File.WriteAllTextAsync(stem + ".md", markdown);
    Console.WriteLine($"\n{markdown}\nWritten to {stem}.json and .md");
    return 0;
}

// Or: dotnet run --project bench/Ticketing.Bench -c Release -- store [--docs 1000,50000]   (the embedded store alone)
if (args.FirstOrDefault() == "store")
{
    await StoreBench.RunAsync(args, Console.Out);
    return 0;
}

var options = BenchOptions.Parse(args);
var report = await Harness.RunAsync(options, Console.Out);
Directory.CreateDirectory(options.OutputDirectory);
var path = Path.Combine(options.OutputDirectory, $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"\nWritten to {path}");
return 0;

namespace Ticketing.Bench
{
    public sealed record BenchOptions(int Rounds, int Samples, int Warmup, string OutputDirectory)
    {
        public static BenchOptions Parse(string[] args)
        {
            int Int(string name, int fallback)
            {
                var i = Array.IndexOf(args, name);
                return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
            }

            var outIndex = Array.IndexOf(args, "--out");
            return new BenchOptions(
                Int("--rounds", 5),
                Int("--samples", 200),
                Int("--warmup", 30),
                outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine("artifacts", "bench"));
        }
    }

    public sealed record PathResult(string Path, double MedianMs, double P95Ms, double RatioToBaseline, double[] RoundMedians);

    public sealed record BenchReport(string Machine, int Rounds, int SamplesPerRound, double BaselineNoise, IReadOnlyList<PathResult> Paths);

    /// <summary>
    /// Rounds interleave the baseline and the measured paths so slow drift of the machine hits both alike.
    /// Each path reports its median and p95 over all samples, its ratio to the baseline's median, and the
    /// medians of each round; the baseline's spread across rounds is the machine's noise for this run.
    /// </summary>
    public static class Harness
    {
        public static async Task<BenchReport> RunAsync(BenchOptions options, TextWriter log)
        {
            await using var nats = await NatsServer.StartNewAsync();
            await using var raw = new RawJetStreamProbe(nats.Url);
            await raw.StartAsync();
            await using var platform = new TicketToOrdersProbe(nats.Url);
            platform.Start();

            log.WriteLine($"Warming up ({options.Warmup} of each) ...");
            for (var i = 0; i < options.Warmup; i++)
            {
                await raw.RoundTripAsync();
                await platform.RoundTripAsync();
            }

            var baseline = new List<double>();
            var http = new List<double>();
            var endToEnd = new List<double>();
            var rounds = new List<(double Raw, double Http, double EndToEnd)>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                var r = new List<double>();
                var h = new List<double>();
                var e = new List<double>();
                for (var i = 0; i < options.Samples; i++)
                {
                    r.Add(await raw.RoundTripAsync());
                    var (httpMs, endToEndMs) = await platform.RoundTripAsync();
                    h.Add(httpMs);
                    e.Add(endToEndMs);
                }

                rounds.Add((Stats.Of(r).Median, Stats.Of(h).Median, Stats.Of(e).Median));
                baseline.AddRange(r);
                http.AddRange(h);
                endToEnd.AddRange(e);
                log.WriteLine($"round {round}: baseline {rounds[^1].Raw:F2} ms, POST {rounds[^1].Http:F2} ms, ticket->orders {rounds[^1].EndToEnd:F2} ms (medians)");
            }

            var baseStats = Stats.Of(baseline);
            PathResult Result(string name, List<double> samples, Func<(double Raw, double Http, double EndToEnd), double> pick)
            {
                var stats = Stats.Of(samples);
                return new PathResult(name, stats.Median, stats.P95, stats.Median / baseStats.Median, rounds.Select(pick).ToArray());
            }

            var report = new BenchReport(
                $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
                options.Rounds,
                options.Samples,
                Stats.Spread(rounds.Select(r => r.Raw).ToArray()),
                [
                    Result("baseline: raw JetStream publish (ack) -> durable consumer -> ack", baseline, r => r.Raw),
                    Result("POST /api/tickets (validate, store ticket + event, publish)", http, r => r.Http),
                    Result("ticket -> orders: POST start until orders handled TicketCreated", endToEnd, r => r.EndToEnd),
                ]);

            log.WriteLine();
            log.WriteLine($"| path | median ms | p95 ms | x baseline |");
            log.WriteLine($"|---|---|---|---|");
            foreach (var path in report.Paths)
            {
                log.WriteLine($"| {path.Path} | {path.MedianMs:F2} | {path.P95Ms:F2} | {path.RatioToBaseline:F2} |");
            }

            log.WriteLine($"\nNoise: the baseline's round medians spread {report.BaselineNoise:P0} ({options.Rounds} rounds x {options.Samples} samples).");
            return report;
        }
    }
}
