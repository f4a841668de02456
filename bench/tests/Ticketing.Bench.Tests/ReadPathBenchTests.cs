namespace Ticketing.Bench.Tests;

/// <summary>A tiny pass of the read-path bench (real tickets and gateway processes), so the harness cannot rot. Timings decide nothing.</summary>
public sealed class ReadPathBenchTests
{
    [Fact]
    public async Task TinyRun_DrivesEveryRouteDirectAndThroughTheGateway_WithoutErrors()
    {
        using var log = new StringWriter();
        var options = new ReadPathOptions([20], Rate: 40, Duration: TimeSpan.FromSeconds(0.5), Concurrency: 2, OutputDirectory: Path.GetTempPath());

        var report = await ReadPathBench.RunAsync(options, log);

        Assert.Equal(6, report.Results.Count); // 2 targets x (baseline, by id, list)
        Assert.Equal(["direct", "gateway"], report.Results.Select(r => r.Target).Distinct());
        Assert.All(report.Results, r =>
        {
            Assert.Equal(0, r.FixedRateErrors + r.FlatOutErrors); // every answer had the expected status
            Assert.True(r.P99Ms >= r.P50Ms && r.P50Ms > 0, $"{r.Target} {r.Route}: p50 {r.P50Ms}, p99 {r.P99Ms}");
            Assert.True(r.FlatOutPerSecond > 0, $"{r.Target} {r.Route} answered nothing flat out");
        });
        Assert.Contains("| 20 | gateway | GET /api/tickets (100 listed)", ReadPathBench.ToMarkdown(report), StringComparison.Ordinal);
    }
}
