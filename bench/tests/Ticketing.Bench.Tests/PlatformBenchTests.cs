using Ticketing.Bench.Platform;

namespace Ticketing.Bench.Tests;

/// <summary>
/// The platform bench's quick mode against the whole platform started as ./run.sh starts it (about a minute and a half),
/// so every path of the report keeps working. Timings decide nothing: the test checks that every section was measured,
/// without a single error.
/// </summary>
public sealed class PlatformBenchTests
{
    [Fact]
    public async Task QuickRun_MeasuresEverySectionOfTheReport_WithoutErrors()
    {
        using var log = new StringWriter();
        var output = Path.Combine(Path.GetTempPath(), $"bench-platform-{Guid.NewGuid():N}");
        try
        {
            var report = await PlatformBench.RunAsync(PlatformBenchOptions.QuickDefaults with { OutputDirectory = output }, log);
            var (json, markdown) = await PlatformBench.WriteAsync(report, output);

            Assert.True(report.TotalErrors == 0, $"{report.TotalErrors} errors:\n{report.ToMarkdown()}\n{log}");
            Assert.True(report.StartupSeconds > 0);
            Assert.Equal(["gateway", "tickets direct"], report.Http.Where(r => r.Section == "read").Select(r => r.Via).Distinct());
            foreach (var section in new[] { "read", "write", "purchase" })
            {
                var rows = report.Http.Where(r => r.Section == section).ToList();
                Assert.Contains(rows, r => r.Baseline);
                Assert.Contains(rows, r => !r.Baseline && r.Mode.EndsWith("/s", StringComparison.Ordinal) && r.Ok > 0);
                Assert.Contains(rows, r => !r.Baseline && r.Mode.StartsWith("flat out", StringComparison.Ordinal) && r.Ok > 0);
            }

            Assert.Equal(6, report.Events.Count); // the raw JetStream baseline and five cross-service paths
            Assert.All(report.Events, e => Assert.True(e.Samples > 0 && e.P99Ms >= e.P50Ms, $"{e.Path}: {e.Samples} samples"));
            Assert.NotNull(report.Expiration);
            Assert.Equal(report.Expiration.Orders, report.Expiration.Completed);
            Assert.Equal(report.Expiration.Orders, report.Expiration.Cancelled);
            foreach (var service in new[] { "auth", "tickets", "orders", "payments", "expiration", "gateway", "nats-server" })
            {
                var process = Assert.Single(report.Processes, p => p.Name == service);
                Assert.True(process.IdleMb > 0 && process.PeakMb > 0, $"{service}: idle {process.IdleMb} MB, peak {process.PeakMb} MB");
            }

            var text = await File.ReadAllTextAsync(markdown);
            Assert.All(PlatformReport.Sections, heading => Assert.Contains(heading, text, StringComparison.Ordinal));
            Assert.Contains("\"Targets\"", await File.ReadAllTextAsync(json), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}
