namespace Ticketing.Common.Messaging;

/// <summary>The NATS headers every Ticketing message carries besides its JSON body.</summary>
public static class MessageHeaders
{
    /// <summary>JetStream's de-duplication key: the event's <see cref="Events.IIntegrationEvent.MessageId"/>.</summary>
    public const string MessageId = "Nats-Msg-Id";

    public const string SchemaVersion = "Ticketing-Schema-Version";
    public const string OccurredAt = "Ticketing-Occurred-At";
    public const string ContentType = "Content-Type";

    /// <summary>W3C trace context of the request that caused the event.</summary>
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>On parked messages: why, by which consumer, after how many deliveries.</summary>
    public const string ParkedReason = "Ticketing-Parked-Reason";
    public const string ParkedBy = "Ticketing-Parked-By";
    public const string Deliveries = "Ticketing-Deliveries";
    public const string OriginalSubject = "Ticketing-Original-Subject";

    /// <summary>On parked messages: the original <c>Nats-Msg-Id</c> (the dead letter has its own), for a replay.</summary>
    public const string OriginalMessageId = "Ticketing-Original-Msg-Id";
}
