using System.Globalization;
using System.Text;

namespace Ticketing.Bench.Platform;

/// <summary>One HTTP measurement: a route (or a purchase: two requests) at a fixed offered rate or flat out.</summary>
public sealed record HttpRow(
    string Section, string Via, string Route, string Mode, bool Baseline, int Count, int Ok, IReadOnlyDictionary<string, int> Errors,
    double P50Ms, double P95Ms, double P99Ms, double PerSecond, double? P50VsBaseline, double? PerSecondVsBaseline)
{
    public int ErrorCount => Errors.Values.Sum();
}

/// <summary>One event path: from the event stored in the stream until the named consumer acknowledged it (handled).</summary>
public sealed record EventRow(string Path, string Consumer, int Samples, double P50Ms, double P95Ms, double P99Ms, double MaxMs, double P50VsBaseline, double[] RoundMedians);

/// <summary>How late orders expired: from each order's <c>expiresAt</c> until ExpirationCompleted / OrderCancelled was stored.</summary>
public sealed record ExpirationResult(
    int Orders, double WindowSeconds, int Completed, int Cancelled, int Missing, IReadOnlyDictionary<string, int> PlaceErrors,
    double P50Ms, double P95Ms, double P99Ms, double MaxMs, double CancelledP50Ms, double CancelledP99Ms, double EarliestMs);

/// <summary>A process's resident memory idle (after start, before any load) and its peak while the bench drove the platform.</summary>
public sealed record ProcessRow(string Name, int[] Pids, double IdleMb, double PeakMb, IReadOnlyDictionary<string, double> CpuSeconds);

/// <summary>Where the CPU went in one phase: cores busy on the whole machine, in the platform's processes, in the bench itself.</summary>
public sealed record PhaseCpu(string Phase, double Seconds, double MachineCores, double PlatformCores, double BenchCores)
{
    /// <summary>Cores used by everything else on the machine (other engineers' builds and tests): the load condition.</summary>
    public double OtherCores => Math.Max(0, MachineCores - PlatformCores - BenchCores);
}

public sealed record TargetRow(string What, string Target, string Measured, bool Met);

public sealed record PlatformReport(
    string Machine, DateTimeOffset At, string Mode, string LoadAverageAtStart, double? StartupSeconds, IReadOnlyDictionary<string, double> ReadyAfterSeconds,
    IReadOnlyDictionary<string, string> Settings, IReadOnlyList<HttpRow> Http, IReadOnlyList<EventRow> Events, double EventBaselineNoise,
    IReadOnlyDictionary<string, double> HttpBaselineNoise, ExpirationResult? Expiration, IReadOnlyList<ProcessRow> Processes,
    IReadOnlyList<PhaseCpu> Phases, IReadOnlyList<TargetRow> Targets, IReadOnlyList<string> Notes)
{
    /// <summary>The sections every full report has (the test checks the markdown has each).</summary>
    public static readonly string[] Sections =
        ["## Targets", "## Start-up", "## Read path", "## Writes", "## Purchase flow", "## Event propagation", "## Expiration lateness", "## Memory", "## CPU by phase"];

    public int TotalErrors => Http.Sum(r => r.ErrorCount) + (Expiration is { } e ? e.Missing + e.PlaceErrors.Values.Sum() : 0);

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.AppendLine(text);
        string F(double v, string format = "F2") => double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture);

        Line($"# Ticketing platform bench ({Mode})");
        Line();
        Line($"{Machine}; {At:yyyy-MM-dd HH:mm} UTC; load average at start {LoadAverageAtStart}. Settings: " +
             string.Join(", ", Settings.Select(s => $"`{s.Key}={s.Value}`")) + ".");
        Line($"Errors in the whole run: {TotalErrors}.");
        Line();

        Line("## Targets");
        Line();
        Line("| what | target | measured | met |");
        Line("|---|---|---|---|");
        foreach (var t in Targets)
        {
            Line($"| {t.What} | {t.Target} | {t.Measured} | {(t.Met ? "yes" : "**no**")} |");
        }

        Line();
        Line("## Start-up");
        Line();
        Line(StartupSeconds is { } s
            ? $"From launching the AppHost until the gateway's `/health` said every service is ready: **{F(s, "F1")} s**. Each service first ready after: " +
              string.Join(", ", ReadyAfterSeconds.OrderBy(r => r.Value).Select(r => $"{r.Key} {F(r.Value, "F1")} s")) + "."
            : "Attached to a running platform: start-up not measured.");
        Line();

        foreach (var (section, title, text) in new[]
        {
            ("read", "## Read path", "Baseline: the same service behind the same hop answering a malformed id (404, no store read)."),
            ("write", "## Writes", "`POST /api/tickets` by one seller. Baseline: the same route with an invalid body (auth, body parsing, 400 from validation; nothing stored)."),
            ("purchase", "## Purchase flow", "One purchase = `POST /api/orders` (201), then, once payments has handled the order's OrderCreated (its consumer's ack floor), `POST /api/payments` with `tok_visa` on the simulated gateway (201). Baseline: the same two routes with invalid bodies (400 each, nothing stored)."),
        })
        {
            Line(title);
            Line();
            Line(text + " Fixed rates are open loop (latency counted from when each operation was due); flat out is N clients in a closed loop.");
            Line();
            Line("| via | route | load | ops | errors | p50 ms | p95 ms | p99 ms | done/s | p50 / baseline | rate / baseline |");
            Line("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in Http.Where(r => r.Section == section))
            {
                var errors = r.ErrorCount == 0 ? "0" : $"**{r.ErrorCount}** ({string.Join(", ", r.Errors.Select(e => $"{e.Key}: {e.Value}"))})";
                Line($"| {r.Via} | {(r.Baseline && !r.Route.StartsWith("baseline", StringComparison.Ordinal) ? "*baseline* " : "")}{r.Route} | {r.Mode} | {r.Count} | {errors} | {F(r.P50Ms)} | {F(r.P95Ms)} | {F(r.P99Ms)} | {F(r.PerSecond, "F0")} | {(r.P50VsBaseline is { } a ? F(a) + "x" : "")} | {(r.PerSecondVsBaseline is { } b ? F(b * 100, "F0") + " %" : "")} |");
            }

            if (HttpBaselineNoise.TryGetValue(section, out var noise))
            {
                Line();
                Line($"Noise: the baseline's p50 moved {F(noise * 100, "F0")} % between its runs at the start and the end of this section.");
            }

            Line();
        }

        Line("## Event propagation");
        Line();
        Line("From the event stored in the stream (server timestamp) until the service's durable consumer acknowledged it, i.e. its handler finished " +
             "and stored the effect (observed by polling the consumer's ack floor; resolution one JetStream API request). Probes run one at a time. " +
             "Baseline: a bare JetStream publish (ack awaited) to a durable consumer that acks, on the same nats-server, interleaved with the probes.");
        Line();
        Line("| path | consumer | samples | p50 ms | p95 ms | p99 ms | max ms | p50 / baseline |");
        Line("|---|---|---|---|---|---|---|---|");
        foreach (var e in Events)
        {
            Line($"| {e.Path} | `{e.Consumer}` | {e.Samples} | {F(e.P50Ms)} | {F(e.P95Ms)} | {F(e.P99Ms)} | {F(e.MaxMs)} | {F(e.P50VsBaseline)}x |");
        }

        Line();
        Line($"Noise: the baseline's round medians spread {F(EventBaselineNoise * 100, "F0")} %.");
        Line();

        Line("## Expiration lateness");
        Line();
        if (Expiration is { } x)
        {
            Line($"{x.Orders} orders placed (order window {F(x.WindowSeconds, "F0")} s) and left unpaid. Lateness = the stream's timestamp of the event minus the order's `expiresAt`.");
            Line();
            Line("| event | arrived | p50 ms | p95 ms | p99 ms | max ms |");
            Line("|---|---|---|---|---|---|");
            Line($"| ExpirationCompleted (expiration's job ran) | {x.Completed} / {x.Orders} | {F(x.P50Ms)} | {F(x.P95Ms)} | {F(x.P99Ms)} | {F(x.MaxMs)} |");
            Line($"| OrderCancelled (the order turned `cancelled`) | {x.Cancelled} / {x.Orders} | {F(x.CancelledP50Ms)} | - | {F(x.CancelledP99Ms)} | - |");
            Line();
            Line($"Earliest ExpirationCompleted relative to `expiresAt`: {F(x.EarliestMs)} ms (negative would be early). Missing: {x.Missing}; errors placing orders: {x.PlaceErrors.Values.Sum()}.");
        }
        else
        {
            Line("Not measured (see notes).");
        }

        Line();
        Line("## Memory");
        Line();
        Line("VmRSS from /proc/<pid>/status: idle = after start-up and a settling pause, before any load; peak = the highest sample (every 250 ms) while the bench drove the platform.");
        Line();
        Line("| process | idle MB | peak under load MB |");
        Line("|---|---|---|");
        foreach (var p in Processes)
        {
            Line($"| {p.Name} | {F(p.IdleMb, "F0")} | {F(p.PeakMb, "F0")} |");
        }

        Line();
        Line("## CPU by phase");
        Line();
        Line("Cores busy on average (2 = both cores of this machine), from /proc: the whole machine, the platform's processes, the bench (load generator) itself, and everything else (other users of the machine).");
        Line();
        Line("| phase | seconds | machine | platform | bench | others | top platform processes (cores) |");
        Line("|---|---|---|---|---|---|---|");
        foreach (var phase in Phases)
        {
            var top = Processes.Select(p => (p.Name, Cores: p.CpuSeconds.TryGetValue(phase.Phase, out var c) ? c / phase.Seconds : 0))
                .OrderByDescending(p => p.Cores).Take(4).Select(p => $"{p.Name} {F(p.Cores)}");
            Line($"| {phase.Phase} | {F(phase.Seconds, "F0")} | {F(phase.MachineCores)} | {F(phase.PlatformCores)} | {F(phase.BenchCores)} | {F(phase.OtherCores)} | {string.Join(", ", top)} |");
        }

        if (Notes.Count > 0)
        {
            Line();
            Line("## Notes");
            Line();
            foreach (var note in Notes)
            {
                Line($"- {note}");
            }
        }

        return md.ToString();
    }
}
