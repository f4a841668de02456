namespace Ticketing.Bench.Tests;

public sealed class HarnessTests
{
    [Fact]
    public async Task Run_WhenTiny_MeasuresEveryPathAgainstTheBaseline()
    {
        using var log = new StringWriter();

        var report = await Harness.RunAsync(new BenchOptions(Rounds: 2, Samples: 5, Warmup: 2, OutputDirectory: Path.GetTempPath()), log);

        Assert.Equal(3, report.Paths.Count);
        var baseline = report.Paths[0];
        Assert.StartsWith("baseline", baseline.Path, StringComparison.Ordinal);
        Assert.Equal(Stats.Spread(baseline.RoundMedians), report.BaselineNoise, precision: 9);
        Assert.All(report.Paths, path =>
        {
            Assert.True(path.MedianMs > 0, $"{path.Path} measured nothing");
            Assert.Equal(path.MedianMs / baseline.MedianMs, path.RatioToBaseline, precision: 9);
            Assert.True(path.P95Ms >= path.MedianMs);
            Assert.Equal(2, path.RoundMedians.Length);
        });
        Assert.Contains("| ticket -> orders", log.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 3, 4 }, 2.5)]
    [InlineData(new double[] { 5 }, 5)]
    [InlineData(new double[] { 3, 1, 2 }, 2)]
    public void Median_InterpolatesBetweenRanks(double[] samples, double median) =>
        Assert.Equal(median, Stats.Of(samples).Median, precision: 9);

    [Fact]
    public void Spread_IsTheRangeOfRoundMediansOverTheirMedian() =>
        Assert.Equal(0.5, Stats.Spread([3.0, 4.0, 5.0]), precision: 9); // (5 - 3) / 4
}
