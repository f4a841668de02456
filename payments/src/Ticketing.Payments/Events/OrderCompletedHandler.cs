using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Payments.Data;

namespace Ticketing.Payments.Events;

/// <summary>OrderCompleted: the replica becomes complete when the event is newer than it (see <see cref="OrderStatusReplication"/>).</summary>
public sealed class OrderCompletedHandler(IOrderReplicaStore orders) : IEventHandler<OrderCompletedV1>
{
    public Task<HandlerOutcome> HandleAsync(OrderCompletedV1 @event, EventContext context, CancellationToken cancellationToken) =>
        OrderStatusReplication.ApplyAsync(orders, @event.Id, @event.Version, OrderStatus.Complete, @event.Ticket.Id, cancellationToken);
}
