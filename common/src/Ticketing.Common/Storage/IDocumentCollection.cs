using System.Linq.Expressions;

namespace Ticketing.Common.Storage;

/// <summary>What a write did. Optimistic concurrency shows up as <see cref="Conflict"/>, never as an overwrite.</summary>
public enum WriteResult
{
    /// <summary>The write happened.</summary>
    Ok,

    /// <summary>The document exists but was not in the expected state (a stale writer): nothing was written.</summary>
    Conflict,

    /// <summary>No document has that id: nothing was written.</summary>
    NotFound,

    /// <summary>The id or a unique index value is taken: nothing was written.</summary>
    Duplicate,
}

/// <summary>Ordering and paging for <see cref="IDocumentCollection{T}.FindAsync"/>.</summary>
public sealed record FindOptions<T>
{
    public Expression<Func<T, object?>>? OrderBy { get; init; }
    public bool Descending { get; init; }
    public int Skip { get; init; }
    public int? Limit { get; init; }

    /// <summary>
    /// Keyset paging: only documents whose <see cref="OrderBy"/> key (a string) comes strictly after this value in the
    /// sort's direction. A page that starts after the last key of the previous one never repeats or skips a document
    /// that stayed in the list, however many were added or removed in between (an offset would shift).
    /// </summary>
    public string? After { get; init; }
}

/// <summary>
/// One collection of documents, the same on both backends (MongoDB and the embedded LiteDB store).
/// Every write is a single atomic operation; <see cref="ReplaceAsync"/> is a compare-and-set, which is
/// all optimistic concurrency and atomic reservations need. Filters are plain LINQ predicates
/// (comparisons, &amp;&amp;, ||, null checks) that both backends translate.
/// </summary>
public interface IDocumentCollection<T> where T : class, IDocument
{
    string Name { get; }

    Task<T?> GetAsync(string id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<T>> FindAsync(
        Expression<Func<T, bool>> filter,
        FindOptions<T>? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>Inserts a new document; <see cref="WriteResult.Duplicate"/> when its id or a unique value is taken.</summary>
    Task<WriteResult> InsertAsync(T document, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the document with the same id only if the stored one still matches <paramref name="expected"/>
    /// (for example <c>d =&gt; d.Version == 3</c>), atomically.
    /// </summary>
    Task<WriteResult> ReplaceAsync(
        T document,
        Expression<Func<T, bool>> expected,
        CancellationToken cancellationToken = default);

    /// <summary>Creates the index if it is missing (idempotent).</summary>
    Task EnsureIndexAsync<TKey>(
        string name,
        Expression<Func<T, TKey>> key,
        bool unique,
        CancellationToken cancellationToken = default);
}
