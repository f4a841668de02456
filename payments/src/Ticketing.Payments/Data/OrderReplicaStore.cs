using Ticketing.Common.Storage;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Data;

/// <summary><see cref="IOrderReplicaStore"/> over the <c>orders</c> collection (a plain one: the replica raises no events).</summary>
public sealed class OrderReplicaStore(IDocumentCollection<OrderReplica> orders) : IOrderReplicaStore
{
    public const string CollectionName = "orders";

    public Task<OrderReplica?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        orders.GetAsync(id, cancellationToken);

    public Task<WriteResult> AddAsync(OrderReplica replica, CancellationToken cancellationToken = default) =>
        orders.InsertAsync(replica, cancellationToken);

    public Task<WriteResult> ReplaceAsync(OrderReplica current, OrderReplica next, CancellationToken cancellationToken = default)
    {
        if (next.Id != current.Id)
        {
            throw new ArgumentException($"Order {next.Id} cannot replace order {current.Id}.", nameof(next));
        }

        // Filling in OrderCreated's details keeps the version: compare whether they were known as well.
        var version = current.Version;
        return current.UserId is null
            ? orders.ReplaceAsync(next, r => r.Version == version && r.UserId == null, cancellationToken)
            : orders.ReplaceAsync(next, r => r.Version == version && r.UserId != null, cancellationToken);
    }
}
