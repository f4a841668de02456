using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Ticketing.Bench;

/// <summary>
/// One operation of a load run (a request, or a few requests in a row such as a purchase). Returns null when it
/// succeeded, else a short error key (the unexpected HTTP status, "timeout", "connection", ...).
/// </summary>
public delegate Task<string?> LoadOperation(int index);

/// <summary>What a load run measured: latencies (ms) of every operation, successes, errors by key, and the rate achieved.</summary>
public sealed record LoadRun(double[] Latencies, int Ok, IReadOnlyDictionary<string, int> Errors, double Seconds)
{
    public int ErrorCount => Errors.Values.Sum();

    /// <summary>Operations completed per second (successful or not) over the run, queue drain included.</summary>
    public double PerSecond => Seconds > 0 ? Latencies.Length / Seconds : 0;

    public double Percentile(double p)
    {
        if (Latencies.Length == 0)
        {
            return double.NaN;
        }

        var sorted = Latencies.Order().ToArray();
        return Stats.Percentile(sorted, p);
    }
}

/// <summary>The two ways the bench drives a route: at a fixed offered rate (open loop) and flat out (closed loop).</summary>
public static class Load
{
    /// <summary>
    /// Open loop: operation i is due at start + i / rate and started then, whether earlier ones have finished or not;
    /// its latency counts from when it was due, so a slow server cannot hide its queue.
    /// </summary>
    public static async Task<LoadRun> FixedRateAsync(LoadOperation operation, double rate, TimeSpan duration)
    {
        var total = Math.Max(1, (int)(rate * duration.TotalSeconds));
        var latencies = new double[total];
        var errors = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var ok = 0;
        var pending = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var index = i;
            pending.Add(Task.Run(async () =>
            {
                Count(await RunAsync(operation, index), ref ok, errors);
                latencies[index] = (clock.Elapsed - due).TotalMilliseconds;
            }));
        }

        await Task.WhenAll(pending);
        return new LoadRun(latencies, ok, errors, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Closed loop: <paramref name="concurrency"/> clients each start the next operation as soon as their last one finished.</summary>
    public static async Task<LoadRun> FlatOutAsync(LoadOperation operation, int concurrency, TimeSpan duration)
    {
        var latencies = new ConcurrentBag<double>();
        var errors = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var ok = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var started = clock.Elapsed;
                Count(await RunAsync(operation, Interlocked.Increment(ref next)), ref ok, errors);
                latencies.Add((clock.Elapsed - started).TotalMilliseconds);
            }
        })));
        return new LoadRun([.. latencies], ok, errors, clock.Elapsed.TotalSeconds);
    }

    /// <summary>A GET expecting one status: the read path's operation.</summary>
    public static LoadOperation Get(HttpClient http, string url, HttpStatusCode expected) => async _ =>
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseContentRead);
        return response.StatusCode == expected ? null : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
    };

    private static async Task<string?> RunAsync(LoadOperation operation, int index)
    {
        try
        {
            return await operation(index);
        }
        catch (TaskCanceledException)
        {
            return "timeout";
        }
        catch (HttpRequestException e)
        {
            return e.StatusCode is { } status ? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture) : "connection";
        }
        catch (Exception e) when (e is InvalidOperationException or System.Text.Json.JsonException or TimeoutException)
        {
            return e.GetType().Name;
        }
    }

    private static void Count(string? error, ref int ok, ConcurrentDictionary<string, int> errors)
    {
        if (error is null)
        {
            Interlocked.Increment(ref ok);
        }
        else
        {
            errors.AddOrUpdate(error, 1, (_, n) => n + 1);
        }
    }
}
