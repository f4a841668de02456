using System.Globalization;
using Ticketing.Common.Domain;
using Ticketing.Common.Events;
using Ticketing.Common.Outbox;
using Ticketing.Common.Storage;

namespace Ticketing.Orders.Domain;

/// <summary>
/// A buyer's order for one ticket: the aggregate and the stored document at once (a <c>sealed record</c> whose
/// behaviour returns the next state with its event appended to <see cref="Outbox"/>, so the change and the
/// event are written in one atomic write).
/// <para>
/// <b>Reservation.</b> The order itself carries the reservation: <see cref="ReservationKey"/> has a unique index
/// and equals the ticket id while the order is live (created, awaiting:payment, complete) and
/// <c>released:{orderId}</c> once cancelled. Placing an order is then one atomic insert that exactly one of any
/// number of concurrent buyers can win; cancelling replaces the key, which frees the ticket in the same write.
/// A separate pointer on the ticket replica would need two writes, and either order of those two leaves a
/// window (see orders/README.md).
/// </para>
/// </summary>
public sealed record Order : IOutboxDocument
{
    public const string CannotCancelCompletedMessage = "Cannot cancel a completed order";
    public const string TooManyPendingMessage = "Too many pending orders";
    private const string ReleasedPrefix = "released:";

    public required string Id { get; init; }
    public required string UserId { get; init; }
    public OrderStatus Status { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public long Version { get; init; }
    public required string TicketId { get; init; }

    /// <summary>The ticket as the replica held it when the order was placed (its price is what OrderCreated carries).</summary>
    public required string TicketTitle { get; init; }

    public decimal TicketPrice { get; init; }
    public long TicketVersion { get; init; }

    /// <summary>Unique: the ticket id while the order holds the ticket, <c>released:{id}</c> once it does not.</summary>
    public required string ReservationKey { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Unique, like <see cref="ReservationKey"/>: <c>{userId}#{n}</c> while the order is pending, n being one of the
    /// user's <see cref="OrdersOptions.MaxPendingPerUser"/> slots, and <c>released:{id}</c> once it is not. The unique
    /// index makes "at most N pending orders per user" hold under concurrent requests too: two orders can never take
    /// the same slot.
    /// </summary>
    public string? PendingSlot { get; init; }

    /// <summary>The payment that completed the order.</summary>
    public string? PaymentId { get; init; }

    /// <summary>Payments this order asked to be refunded, so a redelivered payment is not refunded twice.</summary>
    public string[] RefundedPaymentIds { get; init; } = [];

    public OutboxMessage[] Outbox { get; init; } = [];

    /// <summary>
    /// The "my orders" index key, kept by the store on every write (<c>Data/OrderStore.cs</c>): the user, the placing
    /// time and the id, so one indexed field serves the user filter and the oldest-first order together.
    /// </summary>
    public string? ListKey { get; init; }

    // Methods rather than computed properties: both stores' mappers would persist a get-only property.

    /// <summary>True while payment is still possible: the order neither completed nor was cancelled.</summary>
    public bool IsPending() => Status is OrderStatus.Created or OrderStatus.AwaitingPayment;

    /// <summary>The payment window is over at <see cref="ExpiresAt"/> exactly, never a tick earlier.</summary>
    public bool HasExpiredAt(DateTimeOffset now) => now >= ExpiresAt;

    public static string ReleasedKey(string orderId) => ReleasedPrefix + orderId;

    /// <summary>The key of a user's pending-order slot <paramref name="slot"/> (0-based).</summary>
    public static string SlotKey(string userId, int slot) => string.Create(CultureInfo.InvariantCulture, $"{userId}#{slot}");

    /// <summary>
    /// The first of <paramref name="maxPending"/> slots that none of <paramref name="pendingSlots"/> takes; a user who
    /// holds them all may not place another order (400).
    /// </summary>
    public static int FreeSlot(string userId, IEnumerable<string?> pendingSlots, int maxPending)
    {
        var taken = pendingSlots.ToHashSet(StringComparer.Ordinal);
        for (var slot = 0; slot < maxPending; slot++)
        {
            if (!taken.Contains(SlotKey(userId, slot)))
            {
                return slot;
            }
        }

        throw new DomainRuleException(TooManyPendingMessage);
    }

    /// <summary>A new order reserving <paramref name="ticket"/> until <paramref name="now"/> + <paramref name="window"/>; raises OrderCreated.</summary>
    public static Order Create(string userId, TicketReplica ticket, DateTimeOffset now, TimeSpan window, int slot = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);

        var id = DocumentIds.New();
        var expiresAt = now + window;
        var created = new OrderCreatedV1(id, 0, OrderStatus.Created, userId, expiresAt, new OrderTicketV1(ticket.Id, ticket.Price));
        return new Order
        {
            Id = id,
            UserId = userId,
            Status = OrderStatus.Created,
            ExpiresAt = expiresAt,
            Version = 0,
            TicketId = ticket.Id,
            TicketTitle = ticket.Title,
            TicketPrice = ticket.Price,
            TicketVersion = ticket.Version,
            ReservationKey = ticket.Id,
            PendingSlot = SlotKey(userId, slot),
            CreatedAt = now,
            Outbox = [OutboxMessage.Create(created, now)],
        };
    }

    /// <summary>
    /// Cancels a pending order and releases its ticket; raises OrderCancelled. Cancelling a cancelled order changes
    /// nothing (the same version comes back, no event). A completed order cannot be cancelled (400).
    /// </summary>
    public Order Cancel(DateTimeOffset now)
    {
        switch (Status)
        {
            case OrderStatus.Cancelled:
                return this;
            case OrderStatus.Complete:
                throw new DomainRuleException(CannotCancelCompletedMessage);
        }

        var version = Version + 1;
        return this with
        {
            Status = OrderStatus.Cancelled,
            Version = version,
            ReservationKey = ReleasedKey(Id),
            PendingSlot = ReleasedKey(Id),
            Outbox = [.. Outbox, OutboxMessage.Create(new OrderCancelledV1(Id, version, new OrderTicketRefV1(TicketId)), now)],
        };
    }

    /// <summary>
    /// Completes a pending order with its payment; raises OrderCompleted. The same payment again changes nothing.
    /// A cancelled order is never revived and a completed one is never paid twice: those call for
    /// <see cref="RequestRefund"/>.
    /// </summary>
    public Order Complete(string paymentId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(paymentId);
        if (Status == OrderStatus.Complete && PaymentId == paymentId)
        {
            return this;
        }

        if (!IsPending())
        {
            throw new InvalidOperationException($"Order {Id} is {Status}: payment {paymentId} cannot complete it.");
        }

        var version = Version + 1;
        return this with
        {
            Status = OrderStatus.Complete,
            Version = version,
            PaymentId = paymentId,
            PendingSlot = ReleasedKey(Id),
            Outbox = [.. Outbox, OutboxMessage.Create(new OrderCompletedV1(Id, version, new OrderTicketRefV1(TicketId)), now)],
        };
    }

    /// <summary>
    /// Asks payments to give back a payment this order cannot accept (the order was cancelled first, or it was
    /// already completed by another payment), leaving the order's status alone; raises OrderRefundRequested once per
    /// payment (the same payment again changes nothing).
    /// </summary>
    public Order RequestRefund(PaymentCreatedV1 payment, DateTimeOffset now)
    {
        if (payment.OrderId != Id)
        {
            throw new ArgumentException($"Payment {payment.Id} is for order {payment.OrderId}, not {Id}.", nameof(payment));
        }

        if (RefundedPaymentIds.Contains(payment.Id))
        {
            return this;
        }

        if (IsPending() || PaymentId == payment.Id)
        {
            throw new InvalidOperationException($"Order {Id} is {Status}: payment {payment.Id} completes it, there is nothing to refund.");
        }

        return this with
        {
            Version = Version + 1,
            RefundedPaymentIds = [.. RefundedPaymentIds, payment.Id],
            Outbox = [.. Outbox, OutboxMessage.Create(new OrderRefundRequestedV1(Id, payment.Id, payment.StripeId), now)],
        };
    }
}
