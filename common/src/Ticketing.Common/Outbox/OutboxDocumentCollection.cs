using System.Linq.Expressions;
using Microsoft.Extensions.Logging;
using Ticketing.Common.Storage;

namespace Ticketing.Common.Outbox;

/// <summary>
/// A collection of outbox documents that publishes a document's pending events right after each successful
/// write. Services get this one from DI, so no endpoint or handler can forget to publish.
/// Once the write has succeeded its result stands: a failure while publishing or while removing the published
/// events from the document is logged and left to <see cref="OutboxRelay"/> (it publishes again, the stream's
/// de-duplication and idempotent handlers absorb the repeat), never reported to the caller as a failed write.
/// </summary>
internal sealed class OutboxDocumentCollection<T>(
    IDocumentCollection<T> inner,
    IOutboxStore outbox,
    OutboxDispatcher dispatcher,
    ILogger<OutboxDocumentCollection<T>> logger) : IDocumentCollection<T>
    where T : class, IOutboxDocument
{
    public string Name => inner.Name;

    public Task<T?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        inner.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<T>> FindAsync(Expression<Func<T, bool>> filter, FindOptions<T>? options = null, CancellationToken cancellationToken = default) =>
        inner.FindAsync(filter, options, cancellationToken);

    public async Task<WriteResult> InsertAsync(T document, CancellationToken cancellationToken = default) =>
        await ThenDispatchAsync(document, await inner.InsertAsync(document, cancellationToken), cancellationToken);

    public async Task<WriteResult> ReplaceAsync(T document, Expression<Func<T, bool>> expected, CancellationToken cancellationToken = default) =>
        await ThenDispatchAsync(document, await inner.ReplaceAsync(document, expected, cancellationToken), cancellationToken);

    public Task EnsureIndexAsync<TKey>(string name, Expression<Func<T, TKey>> key, bool unique, CancellationToken cancellationToken = default) =>
        inner.EnsureIndexAsync(name, key, unique, cancellationToken);

    private async Task<WriteResult> ThenDispatchAsync(T document, WriteResult result, CancellationToken cancellationToken)
    {
        if (result == WriteResult.Ok && document.Outbox.Length > 0)
        {
            try
            {
                await dispatcher.DispatchAsync(outbox, new PendingEvents(document.Id, document.Outbox), cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(
                    ex, "{Collection}/{Document} was written but publishing or tidying its outbox failed ({Error}); the outbox relay will finish it",
                    inner.Name, document.Id, ex.Message);
            }
        }

        return result;
    }
}
