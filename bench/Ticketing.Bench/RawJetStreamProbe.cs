using System.Collections.Concurrent;
using System.Diagnostics;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Ticketing.Bench;

/// <summary>
/// The baseline: one JetStream publish (ack awaited) to a durable pull consumer, with no Ticketing code at all.
/// Every Ticketing path is reported as a multiple of this, measured on the same server in the same run, so the
/// machine's speed cancels out.
/// </summary>
public sealed class RawJetStreamProbe : IAsyncDisposable
{
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _consumeLoop;

    public RawJetStreamProbe(string natsUrl, NatsAuthOpts? auth = null)
    {
        _connection = BenchNats.Connect(natsUrl, "bench-raw", auth);
        _js = new NatsJSContext(_connection);
    }

    public async Task StartAsync()
    {
        await _js.CreateOrUpdateStreamAsync(new StreamConfig("BENCH", ["bench.>"]) { Storage = StreamConfigStorage.File });
        var consumer = await _js.CreateOrUpdateConsumerAsync("BENCH", new ConsumerConfig("bench-raw") { FilterSubject = "bench.ping" });
        _consumeLoop = Task.Run(async () =>
        {
            await foreach (var message in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, new NatsJSConsumeOpts { MaxMsgs = 16 }, _stop.Token))
            {
                await message.AckAsync();
                if (_waiting.TryRemove(System.Text.Encoding.UTF8.GetString(message.Data!), out var done))
                {
                    done.TrySetResult();
                }
            }
        });
    }

    /// <summary>Publish one message and wait until the consumer acknowledged it; returns the milliseconds.</summary>
    public async Task<double> RoundTripAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = done;
        var started = Stopwatch.GetTimestamp();
        var ack = await _js.PublishAsync("bench.ping", System.Text.Encoding.UTF8.GetBytes(id), NatsRawSerializer<byte[]>.Default, new NatsJSPubOpts { MsgId = id });
        ack.EnsureSuccess();
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_consumeLoop is not null)
        {
            await _consumeLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _connection.DisposeAsync();
        _stop.Dispose();
    }
}
