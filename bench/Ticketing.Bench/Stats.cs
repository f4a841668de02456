namespace Ticketing.Bench;

/// <summary>Order statistics of a set of latency samples (milliseconds).</summary>
public sealed record Stats(int Count, double Median, double P95, double Min, double Max)
{
    public static Stats Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
        {
            throw new ArgumentException("No samples.", nameof(samples));
        }

        var sorted = samples.Order().ToArray();
        return new Stats(sorted.Length, Percentile(sorted, 0.5), Percentile(sorted, 0.95), sorted[0], sorted[^1]);
    }

    /// <summary>Linear interpolation between the closest ranks.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    /// <summary>How much the medians of repeated rounds differ: (max - min) / median of the medians.</summary>
    public static double Spread(IReadOnlyCollection<double> medians)
    {
        var sorted = medians.Order().ToArray();
        return sorted.Length < 2 ? 0 : (sorted[^1] - sorted[0]) / Percentile(sorted, 0.5);
    }
}
