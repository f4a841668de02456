namespace Ticketing.Common.Events;

/// <summary>
/// An event one service publishes and others consume. Implementations are <c>sealed record</c>s named in the
/// past tense with their schema version as a suffix (<c>TicketUpdatedV1</c>). The subject is an explicit
/// constant, never derived from a CLR type name, so renaming a class can never change the wire.
/// </summary>
public interface IIntegrationEvent
{
    /// <summary>
    /// The unique id of this message, sent as <c>Nats-Msg-Id</c>. Deterministic wherever the event is
    /// (<c>ticket.updated.v1:{id}:v{version}</c>), so a retried publish is dropped by the stream's duplicate window.
    /// It starts with the event and its schema version, so a v1 and a v2 of the same change are never one message.
    /// </summary>
    string MessageId { get; }
}

/// <summary>Static facts about an event type: where it travels and which schema it follows.</summary>
public interface IIntegrationEvent<TSelf> : IIntegrationEvent
    where TSelf : IIntegrationEvent<TSelf>
{
    /// <summary>The subject, <c>ticketing.&lt;aggregate&gt;.&lt;event&gt;.v&lt;schema&gt;</c>.</summary>
    static abstract string Subject { get; }

    /// <summary>The schema version; a breaking change is a new type with a new subject.</summary>
    static abstract int SchemaVersion { get; }
}
