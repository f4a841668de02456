using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Payments.Data;

namespace Ticketing.Payments.Events;

/// <summary>OrderCancelled: the replica becomes cancelled when the event is newer than it (see <see cref="OrderStatusReplication"/>).</summary>
public sealed class OrderCancelledHandler(IOrderReplicaStore orders) : IEventHandler<OrderCancelledV1>
{
    public Task<HandlerOutcome> HandleAsync(OrderCancelledV1 @event, EventContext context, CancellationToken cancellationToken) =>
        OrderStatusReplication.ApplyAsync(orders, @event.Id, @event.Version, OrderStatus.Cancelled, @event.Ticket.Id, cancellationToken);
}
