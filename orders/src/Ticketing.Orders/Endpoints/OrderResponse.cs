using Ticketing.Common.Events;
using Ticketing.Orders.Data;
using Ticketing.Orders.Domain;

namespace Ticketing.Orders.Endpoints;

/// <summary>An order as the API shows it: <c>{ id, userId, status, expiresAt, version, ticket: { id, title, price, version } }</c>.</summary>
public sealed record OrderResponse(string Id, string UserId, OrderStatus Status, DateTimeOffset ExpiresAt, long Version, OrderTicketResponse Ticket)
{
    /// <summary>The order with its ticket as the replica holds it now (as placed, should the replica be missing).</summary>
    public static OrderResponse From(Order order, TicketReplica? ticket) => new(
        order.Id,
        order.UserId,
        order.Status,
        order.ExpiresAt,
        order.Version,
        ticket is null
            ? new OrderTicketResponse(order.TicketId, order.TicketTitle, order.TicketPrice, order.TicketVersion)
            : new OrderTicketResponse(ticket.Id, ticket.Title, ticket.Price, ticket.Version));
}

public sealed record OrderTicketResponse(string Id, string Title, decimal Price, long Version);
