using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Events;
using Microsoft.Extensions.Logging.Abstractions;
using Ticketing.Common.Messaging;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Common.Testing.Messaging;

/// <summary>A message as it lies in a stream: its subject, raw body and NATS headers.</summary>
public sealed record ProbedMessage(string Subject, byte[] Data, NatsHeaders? Headers)
{
    /// <summary>The value of header <paramref name="name"/>, or null when the message has none.</summary>
    public string? Header(string name) =>
        Headers is not null && Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    /// <summary>The <c>Nats-Msg-Id</c> the message was published with.</summary>
    public string? MessageId => Header(MessageHeaders.MessageId);
}

/// <summary>
/// Watches one service's messaging from outside, as another service would: the events on the stream (a consumer of
/// the probe's own, from the start of the stream, never the service's durable consumers), the service's durable
/// consumers, and the messages the service parked in the dead-letter stream. It has its own NATS connection, so what
/// it sees really went through nats-server. The service, NATS URL and stream names come from the service's own
/// messaging settings. Reading is cumulative and up to date: each read first takes everything the stream holds now.
/// </summary>
public sealed class StreamProbe : IAsyncDisposable
{
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _jetStream;
    private readonly MessagingOptions _options;
    private readonly INatsJSConsumer _events;
    private readonly INatsJSConsumer _parked;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly List<ProbedMessage> _eventsSeen = [];
    private readonly List<ProbedMessage> _parkedSeen = [];

    private StreamProbe(NatsConnection connection, NatsJSContext jetStream, MessagingOptions options, INatsJSConsumer events, INatsJSConsumer parked)
    {
        _connection = connection;
        _jetStream = jetStream;
        _options = options;
        _events = events;
        _parked = parked;
    }

    /// <summary>The service watched; its durable consumers are <c>&lt;service&gt;-&lt;event&gt;</c>.</summary>
    public string ServiceName => _options.ServiceName;

    /// <summary>
    /// Starts watching the service whose <paramref name="services"/> these are (a host with <c>AddMessaging</c>):
    /// the events on <paramref name="filterSubject"/> (every event by default) and what the service parks.
    /// </summary>
    public static async Task<StreamProbe> StartAsync(IServiceProvider services, string filterSubject = JetStreamTopology.EventSubjects)
    {
        // The streams are the service's to define; make sure they exist before consuming from them.
        await services.GetRequiredService<JetStreamTopology>().EnsureAsync(CancellationToken.None);
        var options = services.GetRequiredService<MessagingOptions>();
        // As admin on a secured server (a service may create no consumer): the harness's identity for this server.
        var connection = NatsServer.HarnessSettings(options.Url).Connect("probe", NullLoggerFactory.Instance);
        try
        {
            var jetStream = new NatsJSContext(connection);
            var events = await CreateConsumerAsync(jetStream, options.StreamName, filterSubject);
            var parked = await CreateConsumerAsync(jetStream, options.DeadLetterStreamName, JetStreamTopology.DeadLetterSubject(options.ServiceName, ">"));
            return new StreamProbe(connection, jetStream, options, events, parked);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static Task<INatsJSConsumer> CreateConsumerAsync(NatsJSContext jetStream, string stream, string filterSubject) =>
        jetStream.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig($"probe-{Guid.NewGuid():N}")
        {
            FilterSubject = filterSubject,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
            AckPolicy = ConsumerConfigAckPolicy.None,
        }).AsTask();

    /// <summary>Every message on the filter subject so far, in stream order.</summary>
    public Task<IReadOnlyList<ProbedMessage>> MessagesAsync() => ReadAsync(_events, _eventsSeen);

    /// <summary>Every <typeparamref name="TEvent"/> so far, in stream order.</summary>
    public async Task<IReadOnlyList<TEvent>> AllAsync<TEvent>() where TEvent : IIntegrationEvent<TEvent> =>
        [.. (await MessagesAsync()).Where(m => m.Subject == TEvent.Subject).Select(m => EventJson.Deserialize<TEvent>(m.Data))];

    /// <summary>Waits for the first <typeparamref name="TEvent"/> that matches and returns it.</summary>
    public Task<TEvent> WaitForAsync<TEvent>(Func<TEvent, bool> match, string what, TimeSpan? timeout = null)
        where TEvent : class, IIntegrationEvent<TEvent> =>
        Eventually.ValueAsync(async () => (await AllAsync<TEvent>()).FirstOrDefault(match), what, timeout);

    /// <summary>The messages the service parked so far (on <paramref name="subject"/>, the original subject, when given).</summary>
    public async Task<IReadOnlyList<ProbedMessage>> ParkedAsync(string? subject = null)
    {
        var parked = await ReadAsync(_parked, _parkedSeen);
        return subject is null ? parked : [.. parked.Where(m => m.Subject == JetStreamTopology.DeadLetterSubject(ServiceName, subject))];
    }

    /// <summary>Waits until the service has parked a message (on <paramref name="subject"/> when given) and returns the first.</summary>
    public Task<ProbedMessage> WaitForParkedAsync(string? subject = null, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(async () => (await ParkedAsync(subject)).FirstOrDefault(), $"{ServiceName} to park a message on {subject ?? "any subject"}", timeout);

    /// <summary>The service's durable consumer of <typeparamref name="TEvent"/>, or null before the service has created it.</summary>
    public async Task<ConsumerInfo?> ConsumerInfoAsync<TEvent>() where TEvent : IIntegrationEvent<TEvent>
    {
        try
        {
            return (await _jetStream.GetConsumerAsync(_options.StreamName, EventConsumer<TEvent>.ConsumerName(ServiceName))).Info;
        }
        catch (NatsJSApiException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits until the service's durable consumer of <typeparamref name="TEvent"/> has acknowledged every message
    /// the stream holds for it (nothing pending, nothing in flight or waiting for a retry).
    /// </summary>
    public Task WaitUntilHandledAsync<TEvent>() where TEvent : IIntegrationEvent<TEvent> =>
        Eventually.TrueAsync(
            async () => await ConsumerInfoAsync<TEvent>() is { NumPending: 0, NumAckPending: 0 } info && info.Delivered.StreamSeq > 0,
            $"{ServiceName} to handle every {typeof(TEvent).Name}");

    /// <summary>Adds what <paramref name="consumer"/> has not delivered yet to <paramref name="seen"/> and returns all of it.</summary>
    private async Task<IReadOnlyList<ProbedMessage>> ReadAsync(INatsJSConsumer consumer, List<ProbedMessage> seen)
    {
        await _reading.WaitAsync();
        try
        {
            int fetched;
            do
            {
                fetched = 0;
                await foreach (var message in consumer.FetchNoWaitAsync(new NatsJSFetchOpts { MaxMsgs = 500 }, NatsRawSerializer<byte[]>.Default))
                {
                    seen.Add(new ProbedMessage(message.Subject, message.Data ?? [], message.Headers));
                    fetched++;
                }
            }
            while (fetched > 0);

            return [.. seen];
        }
        finally
        {
            _reading.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _reading.Dispose();
    }
}
