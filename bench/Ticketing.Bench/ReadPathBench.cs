using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Bench;

public sealed record ReadPathOptions(int[] StoredCounts, int Rate, TimeSpan Duration, int Concurrency, string OutputDirectory)
{
    public static ReadPathOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        return new ReadPathOptions(
            (Value("--stored") ?? "100,10000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            int.Parse(Value("--rate") ?? "500", CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(Value("--seconds") ?? "5", CultureInfo.InvariantCulture)),
            int.Parse(Value("--concurrency") ?? "16", CultureInfo.InvariantCulture),
            Value("--out") ?? Path.Combine("artifacts", "bench"));
    }
}

/// <summary>One route measured one way: latencies at a fixed offered rate, and throughput flat out.</summary>
public sealed record LoadResult(
    int Stored, string Target, string Route, int OfferedRate, double P50Ms, double P95Ms, double P99Ms, int FixedRateErrors,
    double FlatOutPerSecond, int FlatOutErrors);

public sealed record ReadPathReport(string Machine, DateTimeOffset At, int Concurrency, double Seconds, IReadOnlyList<LoadResult> Results);

/// <summary>
/// The read path over real HTTP: tickets and the local gateway run as their own processes (built Release outputs)
/// on a real nats-server, with N tickets stored. Each route is driven at a fixed offered rate (open loop: latency is
/// measured from when a request was due, so a slow server cannot hide its queue) and then flat out with a fixed
/// number of concurrent clients. The baseline is a trivial endpoint of the same service (<c>/health/live</c>), so
/// every figure stands next to what the machine and the hop cost without any ticket work.
/// </summary>
public static class ReadPathBench
{
    public static async Task<ReadPathReport> RunAsync(ReadPathOptions options, TextWriter log)
    {
        var root = RepositoryRoot.Path;
        var ticketsDll = Path.Combine(root, "tickets", "src", "Ticketing.Tickets", "bin", "Release", "net10.0", "Ticketing.Tickets.dll");
        var gatewayDll = Path.Combine(root, "dev", "Ticketing.Gateway", "bin", "Release", "net10.0", "Ticketing.Gateway.dll");
        foreach (var dll in new[] { ticketsDll, gatewayDll })
        {
            if (!File.Exists(dll))
            {
                throw new InvalidOperationException($"{dll} is missing: build the solution first (dotnet build Ticketing.slnx -c Release).");
            }
        }

        var results = new List<LoadResult>();
        foreach (var stored in options.StoredCounts)
        {
            results.AddRange(await RunWithStoredAsync(stored, ticketsDll, gatewayDll, options, log));
        }

        return new ReadPathReport($"{Environment.ProcessorCount} cores, {Environment.OSVersion}", DateTimeOffset.UtcNow, options.Concurrency,
            options.Duration.TotalSeconds, results);
    }

    private static async Task<List<LoadResult>> RunWithStoredAsync(int stored, string ticketsDll, string gatewayDll, ReadPathOptions options, TextWriter log)
    {
        await using var nats = await NatsServer.StartNewAsync();
        using var data = new TempDirectory();
        var jwtKey = TestUsers.NewJwtKey();
        var (ticketsPort, gatewayPort) = (FreePort.Next(), FreePort.Next());
        var ticketsUrl = $"http://127.0.0.1:{ticketsPort}";
        var gatewayUrl = $"http://127.0.0.1:{gatewayPort}";

        await using var tickets = await ChildProcess.StartAsync("dotnet",
            [ticketsDll, $"--contentRoot={Path.GetDirectoryName(ticketsDll)}", $"--urls={ticketsUrl}", $"--NATS_URL={nats.Url}", "--NATS_PROVISION=true", $"--JWT_KEY={jwtKey}", $"--DATA_DIR={data.Path}",
             "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information"],
            "Now listening on", TimeSpan.FromSeconds(60));
        await using var gateway = await ChildProcess.StartAsync("dotnet",
            [gatewayDll, $"--contentRoot={Path.GetDirectoryName(gatewayDll)}", $"--urls={gatewayUrl}", $"--Gateway:Services:tickets={ticketsUrl}",
             "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information"],
            "Now listening on", TimeSpan.FromSeconds(60));

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        log.WriteLine($"Storing {stored} tickets ...");
        var anyId = await SeedAsync(http, ticketsUrl, jwtKey, stored);

        var results = new List<LoadResult>();
        foreach (var (target, baseUrl) in new[] { ("direct", ticketsUrl), ("gateway", gatewayUrl) })
        {
            foreach (var (route, path, expected) in Routes(anyId))
            {
                var url = baseUrl + path;
                await FixedRateAsync(http, url, expected, options.Rate, TimeSpan.FromSeconds(1)); // warm-up: JIT, connections, caches
                var (latencies, errors) = await FixedRateAsync(http, url, expected, options.Rate, options.Duration);
                var (perSecond, flatErrors) = await FlatOutAsync(http, url, expected, options.Concurrency, options.Duration);
                var sorted = latencies.Order().ToArray();
                var result = new LoadResult(stored, target, route, options.Rate,
                    Stats.Percentile(sorted, 0.50), Stats.Percentile(sorted, 0.95), Stats.Percentile(sorted, 0.99), errors, perSecond, flatErrors);
                results.Add(result);
                log.WriteLine($"{stored,6} stored | {target,-7} | {route,-48} | p50 {result.P50Ms,6:F2} p95 {result.P95Ms,6:F2} p99 {result.P99Ms,7:F2} ms at {options.Rate}/s ({errors} errors) | flat out {perSecond,7:F0}/s ({flatErrors} errors)");
            }
        }

        return results;
    }

    /// <summary>Creates <paramref name="count"/> tickets through the API (8 at a time) and returns one of their ids.</summary>
    private static async Task<string> SeedAsync(HttpClient http, string ticketsUrl, string jwtKey, int count)
    {
        var bearer = TestUsers.Bearer(jwtKey, "6540a0000000000000000001", "seller@bench.dev");
        string? anyId = null;
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"{ticketsUrl}/api/tickets")
                {
                    Content = JsonContent.Create(new { title = $"Bench ticket {next}", price = 10.5m }),
                };
                request.Headers.Authorization = bearer;
                using var response = await http.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    throw new InvalidOperationException($"Seeding failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }

                anyId ??= (await response.Content.ReadFromJsonAsync<IdOnly>())!.Id;
            }
        }));
        return anyId ?? throw new InvalidOperationException("Nothing was stored.");
    }

    private sealed record IdOnly(string Id);

    /// <summary>
    /// The read path's routes, baseline first: the same service behind the same hop doing no ticket work (a malformed id
    /// is a 404 answered before any store read), one ticket by id, and the first page of the list (100 tickets).
    /// </summary>
    public static (string Route, string Path, HttpStatusCode Expected)[] Routes(string anyId) =>
    [
        ("baseline GET /api/tickets/x (404, no store read)", "/api/tickets/x", HttpStatusCode.NotFound),
        ("GET /api/tickets/{id}", $"/api/tickets/{anyId}", HttpStatusCode.OK),
        ("GET /api/tickets (100 listed)", "/api/tickets", HttpStatusCode.OK),
    ];

    /// <summary>Open loop at a fixed rate (see <see cref="Load.FixedRateAsync"/>); errors are answers other than <paramref name="expected"/>.</summary>
    public static async Task<(List<double> Latencies, int Errors)> FixedRateAsync(HttpClient http, string url, HttpStatusCode expected, int rate, TimeSpan duration)
    {
        var run = await Load.FixedRateAsync(Load.Get(http, url, expected), rate, duration);
        return ([.. run.Latencies], run.ErrorCount);
    }

    /// <summary>Closed loop: <paramref name="concurrency"/> clients each send the next request as soon as the last answered.</summary>
    public static async Task<(double PerSecond, int Errors)> FlatOutAsync(HttpClient http, string url, HttpStatusCode expected, int concurrency, TimeSpan duration)
    {
        var run = await Load.FlatOutAsync(Load.Get(http, url, expected), concurrency, duration);
        return (run.PerSecond, run.ErrorCount);
    }

    public static string ToMarkdown(ReadPathReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Read path, {report.Machine}, {report.At:yyyy-MM-dd HH:mm} UTC; {report.Seconds:F0} s per measurement, flat out with {report.Concurrency} clients.");
        text.AppendLine();
        text.AppendLine("| stored | via | route | p50 ms | p95 ms | p99 ms | errors | flat out req/s |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in report.Results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Stored} | {r.Target} | {r.Route} at {r.OfferedRate}/s | {r.P50Ms:F2} | {r.P95Ms:F2} | {r.P99Ms:F2} | {r.FixedRateErrors + r.FlatOutErrors} | {r.FlatOutPerSecond:F0} |");
        }

        return text.ToString();
    }
}
