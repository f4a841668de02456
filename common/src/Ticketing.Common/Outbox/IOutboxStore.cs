namespace Ticketing.Common.Outbox;

/// <summary>The events one document still has to publish.</summary>
public sealed record PendingEvents(string DocumentId, IReadOnlyList<OutboxMessage> Messages);

/// <summary>
/// A collection whose documents hold pending events (<see cref="Storage.IOutboxDocument"/>). Both storage
/// backends implement it; the outbox relay reads and trims it.
/// </summary>
public interface IOutboxStore
{
    string Name { get; }

    /// <summary>Documents that have events left to publish, oldest first, at most <paramref name="maxDocuments"/>.</summary>
    Task<IReadOnlyList<PendingEvents>> FindPendingAsync(int maxDocuments, CancellationToken cancellationToken = default);

    /// <summary>Removes published events from the document atomically, leaving any others (and all other fields) alone.</summary>
    Task RemovePendingAsync(string documentId, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default);
}
