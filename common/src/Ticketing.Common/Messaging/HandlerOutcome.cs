namespace Ticketing.Common.Messaging;

/// <summary>What a handler decided about a message.</summary>
public enum HandlerDecision
{
    /// <summary>Handled (or already handled before): acknowledge it.</summary>
    Ack,

    /// <summary>Not now: redeliver after a delay (for example a version gap). Parked after the bounded deliveries.</summary>
    Retry,

    /// <summary>Can never succeed: dead-letter it and log why. Never redelivered.</summary>
    Park,
}

/// <summary>The result of <see cref="IEventHandler{TEvent}.HandleAsync"/>.</summary>
public readonly record struct HandlerOutcome(HandlerDecision Decision, TimeSpan? Delay, string? Reason)
{
    public static HandlerOutcome Ack { get; } = new(HandlerDecision.Ack, null, null);

    /// <summary>Redeliver later; with no delay the consumer's backoff for the delivery count applies.</summary>
    public static HandlerOutcome Retry(string reason, TimeSpan? delay = null) => new(HandlerDecision.Retry, delay, reason);

    public static HandlerOutcome Park(string reason) => new(HandlerDecision.Park, null, reason);
}

/// <summary>Facts about the message being handled.</summary>
public sealed record EventContext(
    string Subject,
    string? MessageId,
    ulong StreamSequence,
    int Deliveries,
    DateTimeOffset? OccurredAt);

/// <summary>
/// Handles one event type for one service. One class per event, resolved from a fresh DI scope per message.
/// Must be idempotent: a redelivered or duplicate event changes nothing twice (compare versions).
/// Throwing counts as <see cref="HandlerOutcome.Retry"/> with backoff.
/// </summary>
public interface IEventHandler<in TEvent>
{
    Task<HandlerOutcome> HandleAsync(TEvent @event, EventContext context, CancellationToken cancellationToken);
}
