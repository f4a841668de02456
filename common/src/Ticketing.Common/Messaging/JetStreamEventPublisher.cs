using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Ticketing.Common.Outbox;

namespace Ticketing.Common.Messaging;

/// <summary>
/// The JetStream publisher: <c>Nats-Msg-Id</c> = the event's message id (the stream drops a second copy),
/// the ack is always checked (<c>PublishAsync</c> does not throw on JetStream errors by itself), and a
/// duplicate ack counts as success.
/// </summary>
public sealed class JetStreamEventPublisher(
    INatsJSContext jetStream,
    JetStreamTopology topology,
    ILogger<JetStreamEventPublisher> logger) : IEventPublisher
{
    public async Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken = default)
    {
        await topology.EnsureAsync(cancellationToken);

        using var activity = MessagingTelemetry.Source.StartActivity(
            $"{message.Subject} publish",
            ActivityKind.Producer,
            MessagingTelemetry.ParentFrom(message.TraceParent, message.TraceState));
        activity?.SetTag("messaging.system", "nats");
        activity?.SetTag("messaging.destination.name", message.Subject);
        activity?.SetTag("messaging.message.id", message.MessageId);

        var headers = BuildHeaders(message, activity);
        var body = Encoding.UTF8.GetBytes(message.Payload);
        NATS.Client.JetStream.Models.PubAckResponse ack;
        try
        {
            ack = await jetStream.PublishAsync(
                message.Subject,
                body,
                NatsRawSerializer<byte[]>.Default,
                new NatsJSPubOpts { MsgId = message.MessageId },
                headers,
                cancellationToken);
        }
        catch (NatsNoRespondersException)
        {
            // Nobody stores ticketing.> any more (a server restarted without its store): recreate next time.
            topology.Invalidate();
            throw;
        }

        if (ack.Error is { } error)
        {
            activity?.SetStatus(ActivityStatusCode.Error, error.Description);
            throw new NatsJSApiException(error);
        }

        MessagingTelemetry.Published.Add(1, new KeyValuePair<string, object?>("subject", message.Subject));
        if (ack.Duplicate)
        {
            logger.LogDebug("Message {MessageId} on {Subject} was already in the stream", message.MessageId, message.Subject);
        }
    }

    private static NatsHeaders BuildHeaders(OutboxMessage message, Activity? activity)
    {
        var headers = new NatsHeaders
        {
            [MessageHeaders.SchemaVersion] = message.SchemaVersion.ToString(CultureInfo.InvariantCulture),
            [MessageHeaders.OccurredAt] = message.OccurredAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            [MessageHeaders.ContentType] = "application/json",
        };

        // The publish span when tracing is on; otherwise pass the stored context through unchanged.
        var traceParent = activity?.Id ?? message.TraceParent;
        var traceState = activity?.TraceStateString ?? message.TraceState;
        if (traceParent is not null)
        {
            headers[MessageHeaders.TraceParent] = traceParent;
            if (!string.IsNullOrEmpty(traceState))
            {
                headers[MessageHeaders.TraceState] = traceState;
            }
        }

        return headers;
    }
}
