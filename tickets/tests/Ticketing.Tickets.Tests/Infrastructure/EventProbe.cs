using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Testing;

namespace Ticketing.Tickets.Tests.Infrastructure;

/// <summary>
/// Watches the stream as another service would: a consumer of its own (reading from the start of the stream)
/// that records every message on a subject filter, and looks at the service's durable consumers and the
/// dead-letter stream. Its own connection, so what it sees really went through nats-server.
/// </summary>
public sealed class EventProbe : IAsyncDisposable
{
    public sealed record Received(string Subject, byte[] Data, string? MessageId);

    private readonly NatsConnection _connection;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private Task _loop = Task.CompletedTask;

    private EventProbe(NatsConnection connection)
    {
        _connection = connection;
        JetStream = new NatsJSContext(connection);
    }

    public NatsJSContext JetStream { get; }

    /// <summary>Starts watching <paramref name="filterSubject"/> (all ticket events by default) from the start of the stream.</summary>
    public static async Task<EventProbe> StartAsync(TicketsApp app, string natsUrl, string filterSubject = "ticketing.ticket.>")
    {
        // The streams are the service's to define; make sure they exist before consuming from them.
        await app.Services.GetRequiredService<JetStreamTopology>().EnsureAsync(CancellationToken.None);
        var probe = new EventProbe(new NatsConnection(NatsOpts.Default with { Url = natsUrl, Name = "probe" }));
        var consumer = await probe.JetStream.CreateOrUpdateConsumerAsync("TICKETING", new ConsumerConfig($"probe-{Guid.NewGuid():N}")
        {
            FilterSubject = filterSubject,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
        });
        probe._loop = probe.ConsumeAsync(consumer);
        return probe;
    }

    private async Task ConsumeAsync(INatsJSConsumer consumer)
    {
        try
        {
            await foreach (var message in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, new NatsJSConsumeOpts { MaxMsgs = 100 }, _stop.Token))
            {
                var id = message.Headers is { } headers && headers.TryGetValue(MessageHeaders.MessageId, out var value) ? value.ToString() : null;
                _received.Enqueue(new Received(message.Subject, message.Data ?? [], id));
                await message.AckAsync(cancellationToken: _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public IReadOnlyList<Received> Messages => [.. _received];

    /// <summary>Every <typeparamref name="TEvent"/> received so far, in stream order.</summary>
    public IReadOnlyList<TEvent> All<TEvent>() where TEvent : IIntegrationEvent<TEvent> =>
        [.. _received.Where(m => m.Subject == TEvent.Subject).Select(m => EventJson.Deserialize<TEvent>(m.Data))];

    /// <summary>Waits for the first <typeparamref name="TEvent"/> that matches and returns it.</summary>
    public async Task<TEvent> WaitForAsync<TEvent>(Func<TEvent, bool> match, string what, TimeSpan? timeout = null)
        where TEvent : class, IIntegrationEvent<TEvent>
    {
        return await Eventually.ValueAsync(() => Task.FromResult(All<TEvent>().FirstOrDefault(match)), what, timeout);
    }

    /// <summary>
    /// Waits until the service's durable consumer of <typeparamref name="TEvent"/> has acknowledged every message
    /// the stream holds for it (nothing pending, nothing in flight or waiting for a retry).
    /// </summary>
    public Task WaitUntilHandledAsync<TEvent>() where TEvent : IIntegrationEvent<TEvent> =>
        Eventually.TrueAsync(async () =>
        {
            try
            {
                var info = (await JetStream.GetConsumerAsync("TICKETING", EventConsumer<TEvent>.ConsumerName("tickets"))).Info;
                return info.NumPending == 0 && info.NumAckPending == 0 && info.Delivered.StreamSeq > 0;
            }
            catch (NatsJSApiException)
            {
                return false; // the service has not created its consumer yet
            }
        }, $"tickets to handle every {typeof(TEvent).Name}");

    /// <summary>How many messages the service has parked (dead-lettered) so far.</summary>
    public async Task<long> ParkedCountAsync()
    {
        var stream = await JetStream.GetStreamAsync("TICKETING_DEADLETTER");
        return stream.Info.State.Messages;
    }

    /// <summary>The next message the service parked, with the reason it gave.</summary>
    public async Task<(byte[] Data, string Reason)> NextParkedAsync()
    {
        var consumer = await JetStream.CreateOrUpdateConsumerAsync("TICKETING_DEADLETTER", new ConsumerConfig($"probe-parked-{Guid.NewGuid():N}")
        {
            FilterSubject = "deadletter.tickets.>",
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
        });
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);
        while (true)
        {
            if (await consumer.NextAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: timeout.Token) is { } message)
            {
                return (message.Data ?? [], message.Headers![MessageHeaders.ParkedReason].ToString());
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await _connection.DisposeAsync();
        _stop.Dispose();
    }
}
