using Ticketing.Common.Events;
using Ticketing.Common.Outbox;

namespace Ticketing.Common.Messaging;

/// <summary>Publishes events to JetStream and waits for the stream's ack.</summary>
public interface IEventPublisher
{
    /// <summary>
    /// Publishes one stored event. Returns when the stream has it (a duplicate ack, meaning it had it already,
    /// is success); throws when it could not be stored, so the caller keeps it for later.
    /// </summary>
    Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken = default);
}

public static class EventPublisherExtensions
{
    /// <summary>Publishes an event directly, for services without state to store alongside it (expiration).</summary>
    public static Task PublishAsync<TEvent>(
        this IEventPublisher publisher,
        TEvent @event,
        TimeProvider timeProvider,
        CancellationToken cancellationToken = default)
        where TEvent : IIntegrationEvent<TEvent> =>
        publisher.PublishAsync(OutboxMessage.Create(@event, timeProvider.GetUtcNow()), cancellationToken);
}
