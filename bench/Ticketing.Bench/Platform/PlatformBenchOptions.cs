using System.Globalization;

namespace Ticketing.Bench.Platform;

/// <summary>
/// What the platform bench does (<c>platform</c> command). Defaults are the full report; <c>--quick</c> is a tiny pass
/// (seconds, not minutes) that exercises every path, for bench/tests and a smoke check.
/// </summary>
public sealed record PlatformBenchOptions
{
    public bool Quick { get; init; }

    /// <summary>Attach to this running platform's gateway instead of starting one.</summary>
    public Uri? Url { get; init; }

    /// <summary>nats-server of an attached platform (the launched one's is found by the bench).</summary>
    public string? NatsUrl { get; init; }

    /// <summary>
    /// Attached runs: the platform's NATS admin password, from the environment variable <c>BENCH_NATS_ADMIN_PASSWORD</c>
    /// (never a command-line argument, which every process can read). Start the platform with the same value in
    /// <c>Parameters__nats-admin-password</c>.
    /// </summary>
    public string? NatsAdminPassword { get; init; }

    public int Stored { get; init; } = 10_000;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);
    public int ReadRate { get; init; } = 500;
    public int[] WriteRates { get; init; } = [100, 200];
    public int[] PurchaseRates { get; init; } = [50, 100, 200];
    public int Concurrency { get; init; } = 16;
    public int Rounds { get; init; } = 5;
    public int SamplesPerRound { get; init; } = 40;
    public int ExpiringOrders { get; init; } = 1_000;
    public int ExpiringRate { get; init; } = 250;
    public int WindowSeconds { get; init; } = 20;
    public int Buyers { get; init; } = 40;
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(5);
    public string OutputDirectory { get; init; } = Path.Combine("artifacts", "bench");

    /// <summary>Sections to run (<c>--only read,write,purchase,propagation,expiration</c>); all by default. Seeding always runs.</summary>
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>(AllSections, StringComparer.Ordinal);

    /// <summary>Extra settings for a launched platform (<c>--set NAME=VALUE</c>, repeatable), e.g. to try a service setting.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public static readonly string[] AllSections = ["read", "write", "purchase", "propagation", "expiration"];

    public bool Runs(string section) => Only.Contains(section);

    public static PlatformBenchOptions QuickDefaults => new()
    {
        Quick = true,
        Stored = 150,
        Duration = TimeSpan.FromSeconds(1),
        ReadRate = 50,
        WriteRates = [20],
        PurchaseRates = [10],
        Concurrency = 4,
        Rounds = 2,
        SamplesPerRound = 3,
        ExpiringOrders = 20,
        ExpiringRate = 50,
        WindowSeconds = 6,
        Buyers = 4,
        Settle = TimeSpan.FromSeconds(1),
    };

    public static PlatformBenchOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        int Int(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        int[] Ints(string name, int[] fallback) =>
            Value(name) is { } v ? v.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : fallback;

        var o = args.Contains("--quick") ? QuickDefaults : new PlatformBenchOptions();
        return o with
        {
            Url = Value("--url") is { } url ? new Uri(url) : null,
            NatsUrl = Value("--nats"),
            NatsAdminPassword = Environment.GetEnvironmentVariable("BENCH_NATS_ADMIN_PASSWORD") is { Length: > 0 } password ? password : null,
            Stored = Int("--stored", o.Stored),
            Duration = Value("--seconds") is { } s ? TimeSpan.FromSeconds(double.Parse(s, CultureInfo.InvariantCulture)) : o.Duration,
            ReadRate = Int("--read-rate", o.ReadRate),
            WriteRates = Ints("--write-rates", o.WriteRates),
            PurchaseRates = Ints("--purchase-rates", o.PurchaseRates),
            Concurrency = Int("--concurrency", o.Concurrency),
            Rounds = Int("--rounds", o.Rounds),
            SamplesPerRound = Int("--samples", o.SamplesPerRound),
            ExpiringOrders = Int("--expire", o.ExpiringOrders),
            WindowSeconds = Int("--window", o.WindowSeconds),
            Buyers = Int("--buyers", o.Buyers),
            OutputDirectory = Value("--out") ?? o.OutputDirectory,
            Only = Value("--only") is { } only ? only.Split(',').ToHashSet(StringComparer.Ordinal) : o.Only,
            Extra = args.Select((a, i) => (a, i)).Where(x => x.a == "--set" && x.i + 1 < args.Length)
                .Select(x => args[x.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "", StringComparer.Ordinal),
        };
    }

    /// <summary>The settings a launched platform gets for the run (each documented in bench/README.md).</summary>
    public IReadOnlyDictionary<string, string> PlatformSettings => new Dictionary<string, string>(Extra, StringComparer.Ordinal)
    {
        // Short, so 1,000 unpaid orders expire within the run; long enough that a purchase is paid well before it.
        ["ORDER_EXPIRATION_WINDOW_SECONDS"] = WindowSeconds.ToString(CultureInfo.InvariantCulture),
        // The bench's few buyers place thousands of orders: lift the per-user limits (defaults 5 live orders, 30 per minute).
        ["ORDER_MAX_PENDING_PER_USER"] = "1000",
        ["ORDER_RATE_LIMIT"] = "1000000",
    };
}
