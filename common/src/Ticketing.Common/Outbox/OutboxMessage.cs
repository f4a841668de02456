using System.Diagnostics;
using System.Text;
using Ticketing.Common.Events;

namespace Ticketing.Common.Outbox;

/// <summary>
/// An event waiting to be published, stored inside the document whose change caused it (see
/// docs/decisions/0002-outbox-inside-the-document.md). It carries everything the publish needs, already
/// serialized, so the relay never has to know the event's CLR type; and the trace context of the request
/// that caused it, so the publish joins that trace even when the relay sends it minutes later.
/// </summary>
public sealed record OutboxMessage
{
    public required string MessageId { get; init; }
    public required string Subject { get; init; }
    public required int SchemaVersion { get; init; }

    /// <summary>The event as wire JSON (<see cref="EventJson"/>).</summary>
    public required string Payload { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
    public string? TraceParent { get; init; }
    public string? TraceState { get; init; }

    public static OutboxMessage Create<TEvent>(TEvent @event, DateTimeOffset occurredAt)
        where TEvent : IIntegrationEvent<TEvent>
    {
        var activity = Activity.Current;
        return new OutboxMessage
        {
            MessageId = @event.MessageId,
            Subject = TEvent.Subject,
            SchemaVersion = TEvent.SchemaVersion,
            Payload = Encoding.UTF8.GetString(EventJson.Serialize(@event)),
            OccurredAt = occurredAt,
            TraceParent = activity?.Id is { } id && activity.IdFormat == ActivityIdFormat.W3C ? id : null,
            TraceState = activity?.TraceStateString,
        };
    }
}
