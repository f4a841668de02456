using Ticketing.Common.Storage;

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

    /// <summary>The shortest wait a handler can ask for: a retry is never a hot loop.</summary>
    public static readonly TimeSpan MinimumDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Redeliver once <paramref name="due"/> has come by this service's clock (at least <see cref="MinimumDelay"/>
    /// from <paramref name="now"/>): for an event that arrived before the time it is about.
    /// </summary>
    public static HandlerOutcome RetryAt(string reason, DateTimeOffset due, DateTimeOffset now) =>
        Retry(reason, due - now > MinimumDelay ? due - now : MinimumDelay);

    /// <summary>
    /// The one redelivery policy after a handler's compare-and-set write of <paramref name="what"/>: written is
    /// <see cref="Ack"/>; changed meanwhile is <see cref="Retry"/> with the consumer's backoff, so the redelivery
    /// decides again on the new state; gone is <see cref="Park"/> (nothing will bring it back).
    /// </summary>
    public static HandlerOutcome AfterWrite(WriteResult result, string what) => result switch
    {
        WriteResult.Ok => Ack,
        WriteResult.Conflict => Retry($"{what} changed while the event was handled"),
        WriteResult.NotFound => Park($"{what} disappeared while the event was handled"),
        _ => Retry($"writing {what} failed: {result}"),
    };
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
