using System.Text.Json.Serialization;
using Ticketing.Common.Events;
using Ticketing.Tickets.Domain;

namespace Ticketing.Tickets.Endpoints;

/// <summary>
/// A ticket as the API shows it: <c>{ id, title, price, userId, version, orderId?, status }</c>. <c>orderId</c>
/// is left out while no order holds the ticket; internal fields (revision, outbox, ...) never leave the service.
/// </summary>
public sealed record TicketResponse(
    string Id,
    string Title,
    decimal Price,
    string UserId,
    long Version,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? OrderId,
    TicketStatus Status)
{
    public static TicketResponse From(Ticket ticket) =>
        new(ticket.Id, ticket.Title, ticket.Price, ticket.UserId, ticket.Version, ticket.OrderId, ticket.Status);
}
