using Ticketing.Common.Domain;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;

namespace Ticketing.Payments.Domain;

/// <summary>
/// What payments knows about an order (orders owns it), kept from OrderCreated, OrderCancelled and OrderCompleted.
/// Same id and version as the order. An event applies whenever its version is newer than the replica's, whatever
/// arrived first: OrderCancelled and OrderCompleted travel on other subjects than OrderCreated and may be handled
/// before it, so they insert a replica that knows only the status; OrderCreated later fills in the buyer and the
/// price without moving the status or the version back.
/// </summary>
public sealed record OrderReplica : IDocument
{
    public const string CannotPayCancelledMessage = "Cannot pay for a cancelled order";
    public const string AlreadyPaidMessage = "Order is already paid";

    public required string Id { get; init; }
    public long Version { get; init; }
    public OrderStatus Status { get; init; }

    /// <summary>The buyer; null until OrderCreated has been handled.</summary>
    public string? UserId { get; init; }

    /// <summary>What the order costs (its ticket's price when it was placed); null until OrderCreated has been handled.</summary>
    public decimal? Price { get; init; }

    public string? TicketId { get; init; }

    /// <summary>True once OrderCreated has been handled: the buyer and the price are known.</summary>
    public bool IsKnown() => UserId is not null && Price is not null;

    public static OrderReplica Created(OrderCreatedV1 created) => new()
    {
        Id = created.Id,
        Version = created.Version,
        Status = created.Status,
        UserId = created.UserId,
        Price = created.Ticket.Price,
        TicketId = created.Ticket.Id,
    };

    /// <summary>A replica for an order whose status change arrived before its OrderCreated.</summary>
    public static OrderReplica StatusOnly(string id, long version, OrderStatus status, string ticketId) => new()
    {
        Id = id,
        Version = version,
        Status = status,
        TicketId = ticketId,
    };

    /// <summary>
    /// Fills in what only OrderCreated carries (buyer, price), keeping a newer status and version. The same
    /// replica comes back when there is nothing to fill in (a redelivery).
    /// </summary>
    public OrderReplica WithDetailsOf(OrderCreatedV1 created)
    {
        if (created.Id != Id)
        {
            throw new ArgumentException($"OrderCreated of {created.Id} cannot apply to order {Id}.", nameof(created));
        }

        if (IsKnown())
        {
            return this;
        }

        var newer = created.Version > Version;
        return this with
        {
            UserId = created.UserId,
            Price = created.Ticket.Price,
            TicketId = created.Ticket.Id,
            Version = newer ? created.Version : Version,
            Status = newer ? created.Status : Status,
        };
    }

    /// <summary>The replica at <paramref name="version"/> with <paramref name="status"/>; itself when that version is not newer.</summary>
    public OrderReplica WithStatus(long version, OrderStatus status) =>
        version > Version ? this with { Version = version, Status = status } : this;

    /// <summary>Throws <see cref="DomainRuleException"/> when the order can no longer be paid.</summary>
    public void EnsurePayable()
    {
        switch (Status)
        {
            case OrderStatus.Cancelled:
                throw new DomainRuleException(CannotPayCancelledMessage);
            case OrderStatus.Complete:
                throw new DomainRuleException(AlreadyPaidMessage);
        }
    }
}
