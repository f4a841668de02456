using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Expiration.Tests.Infrastructure;

/// <summary>An ExpirationCompleted as it went over the wire, and when it arrived.</summary>
public sealed record Expiry(string OrderId, string? MessageId, DateTimeOffset ReceivedAt);

/// <summary>
/// The world around the expiration service, as the orders service sees it, on a NATS connection of its own: it
/// publishes order events into the stream, and it hears every ExpirationCompleted published (a core subscription:
/// it sees each publish, even one the stream drops as a duplicate, so it counts how often a job really published)
/// with the time it arrived, and reads what the stream kept.
/// </summary>
public sealed class OrdersSide : IAsyncDisposable
{
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _jetStream;
    private readonly ConcurrentQueue<Expiry> _heard = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _listening = Task.CompletedTask;

    private OrdersSide(NatsConnection connection)
    {
        _connection = connection;
        _jetStream = new NatsJSContext(connection);
    }

    public static async Task<OrdersSide> StartAsync(string natsUrl)
    {
        // As admin (the harness's identity): it publishes orders' events and listens to expiration's.
        var side = new OrdersSide(new NatsConnection(
            NatsServer.HarnessSettings(natsUrl).Opts("orders-side", NullLoggerFactory.Instance) with { SubPendingChannelCapacity = 100_000 }));
        await side._connection.ConnectAsync();
        await new JetStreamTopology(side._jetStream, new MessagingOptions { ServiceName = "orders", Url = natsUrl }, NullLogger<JetStreamTopology>.Instance)
            .EnsureAsync(CancellationToken.None);
        var subscription = await side._connection.SubscribeCoreAsync<byte[]>(ExpirationCompletedV1.Subject, serializer: NatsRawSerializer<byte[]>.Default);
        side._listening = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in subscription.Msgs.ReadAllAsync(side._stop.Token))
                {
                    var received = DateTimeOffset.UtcNow;
                    var orderId = EventJson.Deserialize<ExpirationCompletedV1>(message.Data).OrderId;
                    var id = message.Headers is { } h && h.TryGetValue(MessageHeaders.MessageId, out var v) ? v.ToString() : null;
                    side._heard.Enqueue(new Expiry(orderId, id, received));
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                await subscription.DisposeAsync();
            }
        });
        await side._connection.PingAsync(); // the subscription is registered on the server before anything is published
        return side;
    }

    /// <summary>Every ExpirationCompleted published so far.</summary>
    public IReadOnlyList<Expiry> Heard => [.. _heard];

    public IReadOnlyList<Expiry> HeardFor(string orderId) => [.. _heard.Where(e => e.OrderId == orderId)];

    /// <summary>Waits until an ExpirationCompleted for the order was published, and returns the first.</summary>
    public async Task<Expiry> ExpiryOfAsync(string orderId, TimeSpan? timeout = null)
    {
        await Ticketing.Common.Testing.Eventually.TrueAsync(() => HeardFor(orderId).Count > 0, $"ExpirationCompleted for order {orderId}", timeout);
        return HeardFor(orderId)[0];
    }

    /// <summary>Publishes OrderCreated for a new order expiring at <paramref name="expiresAt"/>, returns the order id.</summary>
    public async Task<OrderCreatedV1> CreateOrderAsync(DateTimeOffset expiresAt, string? messageId = null)
    {
        var created = new OrderCreatedV1(DocumentIds.New(), 0, OrderStatus.Created, DocumentIds.New(), expiresAt, new OrderTicketV1(DocumentIds.New(), 10m));
        await PublishAsync(created, messageId);
        return created;
    }

    public Task CancelOrderAsync(string orderId) => PublishAsync(new OrderCancelledV1(orderId, 1, new OrderTicketRefV1(DocumentIds.New())));

    public Task CompleteOrderAsync(string orderId) => PublishAsync(new OrderCompletedV1(orderId, 1, new OrderTicketRefV1(DocumentIds.New())));

    /// <summary>Publishes an event into the stream; <paramref name="messageId"/> replaces its own (to deliver it twice).</summary>
    public async Task PublishAsync<TEvent>(TEvent @event, string? messageId = null) where TEvent : IIntegrationEvent<TEvent>
    {
        var headers = new NatsHeaders
        {
            [MessageHeaders.SchemaVersion] = TEvent.SchemaVersion.ToString(CultureInfo.InvariantCulture),
            [MessageHeaders.OccurredAt] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        var ack = await _jetStream.PublishAsync(TEvent.Subject, EventJson.Serialize(@event), NatsRawSerializer<byte[]>.Default,
            new NatsJSPubOpts { MsgId = messageId ?? @event.MessageId }, headers);
        ack.EnsureSuccess();
    }

    /// <summary>The ExpirationCompleted messages the stream holds for the order (the stream drops duplicate publishes).</summary>
    public async Task<int> StoredExpiriesOfAsync(string orderId)
    {
        var consumer = await _jetStream.CreateOrUpdateConsumerAsync("TICKETING", new ConsumerConfig($"count-{Guid.NewGuid():N}")
        {
            FilterSubject = ExpirationCompletedV1.Subject,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
            AckPolicy = ConsumerConfigAckPolicy.None,
            InactiveThreshold = TimeSpan.FromSeconds(30),
        });
        var count = 0;
        int fetched;
        do
        {
            fetched = 0;
            await foreach (var message in consumer.FetchNoWaitAsync(new NatsJSFetchOpts { MaxMsgs = 1000 }, NatsRawSerializer<byte[]>.Default))
            {
                fetched++;
                if (EventJson.Deserialize<ExpirationCompletedV1>(message.Data!).OrderId == orderId)
                {
                    count++;
                }
            }
        }
        while (fetched > 0);

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _listening;
        await _connection.DisposeAsync();
        _stop.Dispose();
    }
}
