using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Messaging;
using Ticketing.E2E.Tests.Platform;

namespace Ticketing.E2E.Tests.Faults;

/// <summary>
/// The fault tests' own NATS connection to the platform's nats-server, as an operator's: it reads the event and
/// dead-letter streams, lists the services' durable consumers and publishes poison messages straight to the stream.
/// The one place that opens it, as the NATS <c>admin</c> user: the services' own users may not publish each other's
/// subjects or read the streams (infra/nats/auth.conf).
/// </summary>
public static class PlatformNats
{
    public const string EventStream = "TICKETING";
    public const string DeadLetterStream = "TICKETING_DEADLETTER";

    public static NatsConnection Connect(PlatformFixture platform) =>
        new(NatsOpts.Default with
        {
            Url = platform.NatsUrl,
            Name = "e2e-faults",
            AuthOpts = NatsAuthOpts.Default with { Username = "admin", Password = platform.NatsAdminPassword },
        });
}

/// <summary>A message as it lies in a stream: its subject, body (JSON when it parses) and headers.</summary>
public sealed record StreamMessage(ulong Sequence, string Subject, byte[] Data, NatsHeaders? Headers)
{
    public string? Header(string name) => Headers is not null && Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    /// <summary>A top-level string field of the JSON body (<c>id</c>, <c>orderId</c>), or null when it has none or is not JSON.</summary>
    public string? Field(string name)
    {
        try
        {
            using var json = JsonDocument.Parse(Data);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(name, out var value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public long? Version => long.TryParse(Field("version"), out var v) ? v : null;

    /// <summary>The <c>ticket.id</c> of an order event, or null.</summary>
    public string? TicketId
    {
        get
        {
            try
            {
                using var json = JsonDocument.Parse(Data);
                return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("ticket", out var ticket)
                    && ticket.ValueKind == JsonValueKind.Object && ticket.TryGetProperty("id", out var id)
                    ? id.GetString()
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    public override string ToString() => $"#{Sequence} {Subject} {Encoding.UTF8.GetString(Data)}";
}

/// <summary>
/// What the platform's streams hold, read through <see cref="PlatformNats"/>: every event since the platform started,
/// every dead letter, and the services' durable consumers. Each read is a fresh snapshot (the streams are small).
/// </summary>
public sealed class EventLedger(PlatformFixture platform) : IAsyncDisposable
{
    private readonly NatsConnection _connection = PlatformNats.Connect(platform);

    private NatsJSContext JetStream => new(_connection);

    /// <summary>Every message of the event stream (on <paramref name="filter"/>), in stream order.</summary>
    public Task<IReadOnlyList<StreamMessage>> EventsAsync(string filter = "ticketing.>") => ReadAsync(PlatformNats.EventStream, filter);

    /// <summary>Every dead letter, in stream order (their subjects are <c>deadletter.&lt;service&gt;.&lt;original subject&gt;</c>).</summary>
    public Task<IReadOnlyList<StreamMessage>> DeadLettersAsync() => ReadAsync(PlatformNats.DeadLetterStream, "deadletter.>");

    /// <summary>The durable consumers of the event stream (the services'), by name.</summary>
    public async Task<IReadOnlyList<ConsumerInfo>> ConsumersAsync()
    {
        var consumers = new List<ConsumerInfo>();
        await foreach (var consumer in JetStream.ListConsumersAsync(PlatformNats.EventStream))
        {
            if (consumer.Info.Config.DurableName is not null)
            {
                consumers.Add(consumer.Info);
            }
        }

        return [.. consumers.OrderBy(c => c.Name, StringComparer.Ordinal)];
    }

    /// <summary>True when every durable consumer has acknowledged (or parked) everything the stream holds for it.</summary>
    public async Task<bool> EveryConsumerDrainedAsync() =>
        (await ConsumersAsync()).All(c => c.NumPending == 0 && c.NumAckPending == 0);

    /// <summary>One line per durable consumer: pending, in flight, redelivered (for the test output and failure messages).</summary>
    public async Task<string> DescribeConsumersAsync() => string.Join("\n", (await ConsumersAsync()).Select(c =>
        $"  {c.Name}: delivered {c.Delivered.StreamSeq}, ack floor {c.AckFloor.StreamSeq}, pending {c.NumPending}, in flight {c.NumAckPending}, redelivered {c.NumRedelivered}"));

    /// <summary>Publishes raw bytes straight to the event stream (a poison message), with its own message id; returns its sequence.</summary>
    public async Task<ulong> PublishRawAsync(string subject, byte[] body, string messageId)
    {
        var ack = await JetStream.PublishAsync(subject, body, NatsRawSerializer<byte[]>.Default, new NatsJSPubOpts { MsgId = messageId },
            new NatsHeaders { [MessageHeaders.MessageId] = messageId });
        ack.EnsureSuccess();
        return ack.Seq;
    }

    private async Task<IReadOnlyList<StreamMessage>> ReadAsync(string stream, string filter)
    {
        var js = JetStream;
        var last = (await js.GetStreamAsync(stream)).Info.State.LastSeq;
        var messages = new List<StreamMessage>();
        if (last == 0)
        {
            return messages;
        }

        // An ephemeral consumer from the start of the stream, no acks, gone when this read is done.
        var consumer = await js.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig
        {
            FilterSubject = filter,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
            AckPolicy = ConsumerConfigAckPolicy.None,
            InactiveThreshold = TimeSpan.FromSeconds(30),
        });
        try
        {
            while (true)
            {
                var fetched = 0;
                await foreach (var message in consumer.FetchNoWaitAsync(new NatsJSFetchOpts { MaxMsgs = 1000 }, NatsRawSerializer<byte[]>.Default))
                {
                    fetched++;
                    var sequence = message.Metadata?.Sequence.Stream ?? 0;
                    messages.Add(new StreamMessage(sequence, message.Subject, message.Data ?? [], message.Headers));
                    if (sequence >= last)
                    {
                        return messages;
                    }
                }

                if (fetched == 0)
                {
                    return messages; // nothing more on this filter up to the end
                }
            }
        }
        finally
        {
            await js.DeleteConsumerAsync(stream, consumer.Info.Name);
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
