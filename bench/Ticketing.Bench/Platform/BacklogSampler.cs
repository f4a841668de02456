namespace Ticketing.Bench.Platform;

/// <summary>
/// Every durable consumer's backlog (pending + unacknowledged), sampled twice a second while a section runs, keeping
/// each one's largest: which service fell behind.
/// </summary>
public sealed class BacklogSampler : IAsyncDisposable
{
    private readonly Dictionary<string, ulong> _largest;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private BacklogSampler(EventMonitor events, List<string> consumers)
    {
        _largest = consumers.ToDictionary(c => c, _ => 0UL, StringComparer.Ordinal);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                foreach (var consumer in consumers)
                {
                    try
                    {
                        var backlog = await events.BacklogAsync(consumer);
                        lock (_largest)
                        {
                            _largest[consumer] = Math.Max(_largest[consumer], backlog);
                        }
                    }
                    catch (Exception e) when (e is NATS.Client.Core.NatsException)
                    {
                        // One missed sample.
                    }
                }

                await Task.Delay(500, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        });
    }

    public static async Task<BacklogSampler> StartAsync(EventMonitor events) =>
        new(events, (await events.ConsumerNamesAsync()).Where(c => c.EndsWith("-v1", StringComparison.Ordinal)).ToList());

    /// <summary>Stops sampling; returns the consumers with a backlog, largest first (e.g. "`orders-payment-created-v1` 1307, ...").</summary>
    public async Task<string> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        lock (_largest)
        {
            var behind = _largest.Where(b => b.Value > 0).OrderByDescending(b => b.Value).Select(b => $"`{b.Key}` {b.Value}").ToList();
            return behind.Count == 0 ? "none" : string.Join(", ", behind);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
            await _loop;
        }

        _stop.Dispose();
    }
}
