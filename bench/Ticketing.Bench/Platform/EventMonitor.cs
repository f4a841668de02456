using System.Collections.Concurrent;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Ticketing.Bench.Platform;

/// <summary>An event as the stream stored it: its subject, the entity id from its message id, stream sequence and time.</summary>
public sealed record StreamEvent(string Subject, string Key, ulong Sequence, DateTimeOffset StoredAt);

/// <summary>
/// Watches the platform's event stream without touching it: an ordered (ephemeral, unacknowledged) consumer reads every
/// new event with its stream sequence and the server's timestamp, and a service's durable consumer counts as having
/// handled an event once its acknowledgement floor reached that sequence (a service acknowledges only after its
/// handler finished and stored the effect). So "arrived" means what the services did, not a guess from outside.
/// </summary>
public sealed class EventMonitor : IAsyncDisposable
{
    public const string Stream = "TICKETING";

    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamEvent>> _events = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, ConsumerWatch> _watches = new(StringComparer.Ordinal);
    private Task? _reader;

    public EventMonitor(string natsUrl, NatsAuthOpts? auth = null)
    {
        _connection = BenchNats.Connect(natsUrl, "bench-monitor", auth);
        _js = new NatsJSContext(_connection);
    }

    /// <summary>The durable consumer a service uses for an event subject (EventConsumer's naming: orders-ticket-created-v1).</summary>
    public static string ConsumerOf(string service, string subject) => $"{service}-{subject["ticketing.".Length..].Replace('.', '-')}";

    public async Task StartAsync()
    {
        var consumer = await _js.CreateOrderedConsumerAsync(Stream, new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.New });
        _reader = Task.Run(async () =>
        {
            await foreach (var message in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: _stop.Token))
            {
                // Message ids are "<kind>:<entity id>[:v<version>]"; the entity id is what the bench waits for.
                var id = message.Headers?["Nats-Msg-Id"].ToString() ?? string.Empty;
                var parts = id.Split(':');
                if (parts.Length < 2 || message.Metadata is not { } metadata)
                {
                    continue;
                }

                var stored = new StreamEvent(message.Subject, parts[1], metadata.Sequence.Stream, metadata.Timestamp);
                Slot(message.Subject, parts[1]).TrySetResult(stored);
            }
        });
    }

    /// <summary>The event on <paramref name="subject"/> about <paramref name="key"/>, once the stream holds it.</summary>
    public Task<StreamEvent> WaitAsync(string subject, string key, TimeSpan timeout) => Slot(subject, key).Task.WaitAsync(timeout);

    /// <summary>Whether the event arrived already (no waiting).</summary>
    public StreamEvent? Seen(string subject, string key) =>
        _events.TryGetValue($"{subject}|{key}", out var slot) && slot.Task.IsCompletedSuccessfully ? slot.Task.Result : null;

    /// <summary>
    /// Polls the durable consumer until its acknowledgement floor reached <paramref name="sequence"/>; returns when that
    /// was first seen. Each poll is one JetStream API request (well under a millisecond here), the resolution of the figure.
    /// </summary>
    public async Task<DateTimeOffset> WaitHandledAsync(string consumer, ulong sequence, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var info = (await _js.GetConsumerAsync(Stream, consumer)).Info;
            if (info.AckFloor.StreamSeq >= sequence)
            {
                return DateTimeOffset.UtcNow;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{consumer} did not acknowledge stream sequence {sequence} within {timeout} (ack floor {info.AckFloor.StreamSeq}, pending {info.NumPending}, unacknowledged {info.NumAckPending})");
            }
        }
    }

    /// <summary>
    /// Completes once the durable consumer's acknowledgement floor reached <paramref name="sequence"/>, for many waiters
    /// at once: one loop per consumer polls its info (every 2 ms while anyone waits, not at all otherwise).
    /// </summary>
    public Task WhenHandledAsync(string consumer, ulong sequence, TimeSpan timeout)
    {
        var watch = _watches.GetOrAdd(consumer, _ => new ConsumerWatch());
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (watch)
        {
            if (watch.Floor >= sequence)
            {
                return Task.CompletedTask;
            }

            watch.Waiters.Add((sequence, done));
            if (!watch.Running)
            {
                watch.Running = true;
                _ = Task.Run(() => WatchAsync(consumer, watch));
            }
        }

        return done.Task.WaitAsync(timeout);
    }

    private async Task WatchAsync(string consumer, ConsumerWatch watch)
    {
        while (!_stop.IsCancellationRequested)
        {
            ulong floor;
            try
            {
                floor = (await _js.GetConsumerAsync(Stream, consumer, _stop.Token)).Info.AckFloor.StreamSeq;
            }
            catch (Exception e) when (e is NatsJSException or NatsException or OperationCanceledException)
            {
                await Task.Delay(10);
                continue;
            }

            lock (watch)
            {
                watch.Floor = Math.Max(watch.Floor, floor);
                foreach (var waiter in watch.Waiters.Where(w => w.Sequence <= watch.Floor).ToList())
                {
                    waiter.Done.TrySetResult();
                    watch.Waiters.Remove(waiter);
                }

                if (watch.Waiters.Count == 0)
                {
                    watch.Running = false;
                    return;
                }
            }

            await Task.Delay(2);
        }
    }

    private sealed class ConsumerWatch
    {
        public ulong Floor;
        public bool Running;
        public readonly List<(ulong Sequence, TaskCompletionSource Done)> Waiters = [];
    }

    /// <summary>Waits until a durable consumer has nothing pending or unacknowledged (it caught up with the stream).</summary>
    public async Task WaitCaughtUpAsync(string consumer, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var info = (await _js.GetConsumerAsync(Stream, consumer)).Info;
            if (info.NumPending == 0 && info.NumAckPending == 0)
            {
                return;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{consumer} did not catch up within {timeout} (pending {info.NumPending}, unacknowledged {info.NumAckPending})");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Messages a durable consumer has not acknowledged yet: pending delivery plus delivered and unacknowledged.</summary>
    public async Task<ulong> BacklogAsync(string consumer)
    {
        var info = (await _js.GetConsumerAsync(Stream, consumer)).Info;
        return info.NumPending + (ulong)Math.Max(0, info.NumAckPending);
    }

    public async Task<List<string>> ConsumerNamesAsync()
    {
        var names = new List<string>();
        await foreach (var name in _js.ListConsumerNamesAsync(Stream))
        {
            names.Add(name);
        }

        return names;
    }

    private TaskCompletionSource<StreamEvent> Slot(string subject, string key) =>
        _events.GetOrAdd($"{subject}|{key}", _ => new TaskCompletionSource<StreamEvent>(TaskCreationOptions.RunContinuationsAsynchronously));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reader is not null)
        {
            await _reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _connection.DisposeAsync();
        _stop.Dispose();
    }
}
