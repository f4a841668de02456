using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Ticketing.Common.Messaging;

namespace Ticketing.Common.Outbox;

/// <summary>
/// Publishes a document's pending events and then removes them from it. Used right after a write succeeds
/// (so an event reaches other services in milliseconds) and by <see cref="OutboxRelay"/> for whatever was
/// left behind. It never throws for a publish failure: the events stay stored and the relay tries again.
/// </summary>
public sealed class OutboxDispatcher(
    IEventPublisher publisher,
    INatsConnection connection,
    MessagingOptions options,
    ILogger<OutboxDispatcher> logger)
{
    /// <summary>
    /// Publishes the events in order and removes the published ones. Returns true when all were published.
    /// When NATS is not connected it returns false at once instead of making the caller wait.
    /// </summary>
    public async Task<bool> DispatchAsync(IOutboxStore store, PendingEvents pending, CancellationToken cancellationToken = default)
    {
        if (pending.Messages.Count == 0)
        {
            return true;
        }

        if (connection.ConnectionState != NatsConnectionState.Open)
        {
            logger.LogInformation("NATS is not connected; {Count} event(s) of {Document} stay in the outbox for the relay", pending.Messages.Count, pending.DocumentId);
            return false;
        }

        var published = new List<string>(pending.Messages.Count);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(options.PublishTimeout);
            try
            {
                foreach (var message in pending.Messages)
                {
                    await publisher.PublishAsync(message, timeout.Token);
                    published.Add(message.MessageId);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Later events of the same document wait too, so they are published in order.
                logger.LogWarning(ex, "Publishing the events of {Document} failed ({Error}); the outbox relay will retry", pending.DocumentId, ex.Message);
            }
        }

        if (published.Count > 0)
        {
            // Not the caller's token: the events are out, their removal must not be skipped half-way.
            await store.RemovePendingAsync(pending.DocumentId, published, CancellationToken.None);
        }

        return published.Count == pending.Messages.Count;
    }
}
