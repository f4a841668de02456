using System.Globalization;

namespace Ticketing.Expiration.Tests.Infrastructure;

/// <summary>Lateness figures (ms after expiresAt when ExpirationCompleted arrived) for the test output.</summary>
public static class Lateness
{
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    public static string Summary(IReadOnlyList<double> values) => string.Create(CultureInfo.InvariantCulture,
        $"n={values.Count} min={values.Min():0} ms median={Percentile(values, 50):0} ms p99={Percentile(values, 99):0} ms max={values.Max():0} ms");
}
