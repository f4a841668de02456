using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Payments.Data;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Events;

/// <summary>
/// OrderCancelled and OrderCompleted do the same to the replica: it takes the order's new status and version when the
/// event is newer than what it holds (inserting the replica if OrderCreated has not arrived yet); an older or equal
/// version changes nothing (docs/service-guide.md, "Replicas").
/// </summary>
internal static class OrderStatusReplication
{
    public static async Task<HandlerOutcome> ApplyAsync(
        IOrderReplicaStore orders, string orderId, long version, OrderStatus status, string ticketId, CancellationToken cancellationToken)
    {
        var replica = await orders.GetAsync(orderId, cancellationToken);
        if (replica is null)
        {
            // Duplicate = inserted meanwhile by another event: the redelivery compares versions with what is stored then.
            var added = await orders.AddAsync(OrderReplica.StatusOnly(orderId, version, status, ticketId), cancellationToken);
            return HandlerOutcome.AfterWrite(added == WriteResult.Duplicate ? WriteResult.Conflict : added, $"order {orderId}");
        }

        var next = replica.WithStatus(version, status);
        return ReferenceEquals(next, replica)
            ? HandlerOutcome.Ack // older or equal version: a duplicate, or overtaken by a newer event
            : HandlerOutcome.AfterWrite(await orders.ReplaceAsync(replica, next, cancellationToken), $"order {orderId}");
    }
}
