using Ticketing.Common.Storage;
using Ticketing.Orders.Domain;

namespace Ticketing.Orders.Data;

/// <summary>The ticket replica (a plain collection, no events): read it, add a ticket, replace it by a newer version.</summary>
public interface ITicketReplicaStore
{
    Task<TicketReplica?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The replicas of <paramref name="ids"/> that exist, by id.</summary>
    Task<IReadOnlyDictionary<string, TicketReplica>> GetManyAsync(IEnumerable<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Inserts a replica; <see cref="WriteResult.Duplicate"/> when it is already there (a redelivery, or a race with an update).</summary>
    Task<WriteResult> AddAsync(TicketReplica replica, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="next"/> only if the stored replica is still at <paramref name="current"/>'s version (compare-and-set).</summary>
    Task<WriteResult> ReplaceAsync(TicketReplica current, TicketReplica next, CancellationToken cancellationToken = default);
}

/// <summary><see cref="ITicketReplicaStore"/> over the service's <c>tickets</c> collection.</summary>
public sealed class TicketReplicaStore(IDocumentCollection<TicketReplica> tickets) : ITicketReplicaStore
{
    public const string CollectionName = "tickets";

    public Task<TicketReplica?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        tickets.GetAsync(id, cancellationToken);

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

    public Task<WriteResult> AddAsync(TicketReplica replica, CancellationToken cancellationToken = default) =>
        tickets.InsertAsync(replica, cancellationToken);

    public Task<WriteResult> ReplaceAsync(TicketReplica current, TicketReplica next, CancellationToken cancellationToken = default)
    {
        if (next.Id != current.Id)
        {
            throw new ArgumentException($"Ticket {next.Id} cannot replace ticket {current.Id}.", nameof(next));
        }

        var expected = current.Version;
        return tickets.ReplaceAsync(next, r => r.Version == expected, cancellationToken);
    }
}
