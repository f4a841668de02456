using Ticketing.Common.Storage;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Data;

/// <summary>The order replica: read one, insert one, replace one by compare-and-set.</summary>
public interface IOrderReplicaStore
{
    Task<OrderReplica?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Inserts a replica; <see cref="WriteResult.Duplicate"/> when one is already there.</summary>
    Task<WriteResult> AddAsync(OrderReplica replica, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="next"/> only if the stored replica is still <paramref name="current"/> (version and details).</summary>
    Task<WriteResult> ReplaceAsync(OrderReplica current, OrderReplica next, CancellationToken cancellationToken = default);
}
