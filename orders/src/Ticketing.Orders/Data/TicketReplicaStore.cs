using Ticketing.Common.Storage;

namespace Ticketing.Orders.Data;

/// <summary>The ticket replica's reads and its two writes: insert at version 0, apply the next version by compare-and-set.</summary>
public sealed class TicketReplicaStore(IDocumentCollection<TicketReplica> tickets)
{
    public const string CollectionName = "tickets";

    public Task<TicketReplica?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        tickets.GetAsync(id, cancellationToken);

    /// <summary>Inserts a new replica; <see cref="WriteResult.Duplicate"/> when it is already there (a redelivery).</summary>
    public Task<WriteResult> InsertAsync(TicketReplica replica, CancellationToken cancellationToken = default) =>
        tickets.InsertAsync(replica, cancellationToken);

    /// <summary>Writes <paramref name="next"/> only if the stored replica is still exactly one version behind it.</summary>
    public Task<WriteResult> ApplyAsync(TicketReplica next, CancellationToken cancellationToken = default)
    {
        var previous = next.Version - 1;
        return tickets.ReplaceAsync(next, r => r.Version == previous, cancellationToken);
    }

    /// <summary>The replicas of <paramref name="ids"/> that exist, by id.</summary>
    public async Task<IReadOnlyDictionary<string, TicketReplica>> GetManyAsync(IEnumerable<string> ids, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<string, TicketReplica>(StringComparer.Ordinal);
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            if (await tickets.GetAsync(id, cancellationToken) is { } replica)
            {
                found[id] = replica;
            }
        }

        return found;
    }
}
