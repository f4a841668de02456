using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Ticketing.Common.Domain;
using Ticketing.Common.Events;
using Ticketing.Common.Outbox;
using Ticketing.Common.Storage;

namespace Ticketing.Payments.Domain;

[JsonConverter(typeof(JsonStringEnumConverter<PaymentStatus>))]
public enum PaymentStatus
{
    /// <summary>The order is claimed and the charge is under way: nobody else may charge it meanwhile.</summary>
    [JsonStringEnumMemberName("pending")] Pending,

    /// <summary>Stripe confirmed the charge; PaymentCreated is (or was) in the outbox.</summary>
    [JsonStringEnumMemberName("succeeded")] Succeeded,

    /// <summary>The charge did not happen (declined, needs authentication, or Stripe could not be asked): the order is free again.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>
/// A payment for an order: the aggregate and the stored document (its PaymentCreated travels in <see cref="Outbox"/>,
/// written with it in one atomic write).
/// <para>
/// <b>At most one charge per order.</b> <see cref="ClaimKey"/> has a unique index and equals the order id while
/// the payment is pending or succeeded (<c>released:{id}</c> once failed). A payment request first inserts a
/// pending payment, and only the one insert that wins the key calls Stripe: of any number of concurrent requests
/// for one order exactly one charges, and a paid order can never be charged again. A declined attempt releases
/// the key so the buyer can try another card.
/// </para>
/// </summary>
public sealed record Payment : IOutboxDocument
{
    /// <summary>How long a pending payment holds its order before another request may take over (a process died mid-charge).</summary>
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(5);

    private const string ReleasedPrefix = "released:";

    public required string Id { get; init; }
    public required string OrderId { get; init; }

    /// <summary>Unique: the order id while pending or succeeded, <c>released:{id}</c> once failed.</summary>
    public required string ClaimKey { get; init; }

    public PaymentStatus Status { get; init; }

    /// <summary>The Stripe PaymentIntent (<c>pi_...</c>), once Stripe created one.</summary>
    public string? StripeId { get; init; }

    /// <summary>What was (or is being) charged, in <see cref="Currency"/>; Stripe gets it in whole cents.</summary>
    public decimal Amount { get; init; }

    public string Currency { get; init; } = Money.Currency;
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Why a failed payment failed (the decline message), for support.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The Stripe refund (<c>re_...</c>) once the payment was given back.</summary>
    public string? RefundId { get; init; }

    public string? RefundStatus { get; init; }
    public DateTimeOffset? RefundedAt { get; init; }

    /// <summary>+1 per change; writers compare it (compare-and-set).</summary>
    public long Version { get; init; }

    public OutboxMessage[] Outbox { get; init; } = [];

    public static string ReleasedKey(string paymentId) => ReleasedPrefix + paymentId;

    /// <summary>True when a pending payment has held its order so long that its request must have died.</summary>
    public bool IsAbandonedAt(DateTimeOffset now) => Status == PaymentStatus.Pending && now - CreatedAt > ClaimTimeout;

    /// <summary>
    /// A pending payment claiming <paramref name="order"/> for its price. Throws <see cref="DomainRuleException"/> when
    /// the order is cancelled or already paid.
    /// </summary>
    public static Payment Claim(OrderReplica order, DateTimeOffset now)
    {
        order.EnsurePayable();
        var amount = order.Price ?? throw new InvalidOperationException($"Order {order.Id} has no price yet: its OrderCreated was not handled.");
        Money.ToCents(amount); // never claim an amount that cannot be charged exactly
        return new Payment
        {
            Id = DocumentIds.New(),
            OrderId = order.Id,
            ClaimKey = order.Id,
            Status = PaymentStatus.Pending,
            Amount = amount,
            CreatedAt = now,
        };
    }

    /// <summary>
    /// A payment Stripe reports succeeded that no request recorded (it arrived only by webhook, e.g. after a 3-D
    /// Secure authentication): stored as succeeded at once, with its PaymentCreated.
    /// </summary>
    public static Payment Confirmed(string orderId, string stripeId, decimal amount, string currency, DateTimeOffset now)
    {
        var id = DocumentIds.New();
        return new Payment
        {
            Id = id,
            OrderId = orderId,
            ClaimKey = orderId,
            Status = PaymentStatus.Succeeded,
            StripeId = stripeId,
            Amount = amount,
            Currency = currency,
            CreatedAt = now,
            Outbox = [OutboxMessage.Create(new PaymentCreatedV1(id, orderId, stripeId), now)],
        };
    }

    /// <summary>
    /// Stripe confirmed the charge: the payment succeeds and PaymentCreated joins the outbox. The same intent again
    /// changes nothing. A failed payment may still succeed (Stripe's word is final; it takes the order back).
    /// </summary>
    public Payment Succeed(string stripeId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(stripeId);
        if (Status == PaymentStatus.Succeeded)
        {
            return StripeId == stripeId
                ? this
                : throw new InvalidOperationException($"Payment {Id} succeeded with {StripeId}; {stripeId} cannot succeed it again.");
        }

        return this with
        {
            Status = PaymentStatus.Succeeded,
            StripeId = stripeId,
            ClaimKey = OrderId,
            FailureReason = null,
            Version = Version + 1,
            Outbox = [.. Outbox, OutboxMessage.Create(new PaymentCreatedV1(Id, OrderId, stripeId), now)],
        };
    }

    /// <summary>The charge did not happen: the order is free for another attempt.</summary>
    public Payment Fail(string reason, string? stripeId = null)
    {
        if (Status != PaymentStatus.Pending)
        {
            throw new InvalidOperationException($"Payment {Id} is {Status}; only a pending payment can fail.");
        }

        return this with
        {
            Status = PaymentStatus.Failed,
            ClaimKey = ReleasedKey(Id),
            StripeId = stripeId ?? StripeId,
            FailureReason = reason,
            Version = Version + 1,
        };
    }

    /// <summary>Records the refund that gave this payment back; the same refund again changes nothing.</summary>
    public Payment RecordRefund(string refundId, string status, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(refundId);
        if (Status != PaymentStatus.Succeeded)
        {
            throw new InvalidOperationException($"Payment {Id} is {Status}; only a succeeded payment can be refunded.");
        }

        if (RefundId == refundId && RefundStatus == status)
        {
            return this;
        }

        return this with { RefundId = refundId, RefundStatus = status, RefundedAt = RefundedAt ?? now, Version = Version + 1 };
    }

    /// <summary>
    /// The Stripe idempotency key of a charge: derived from the order and the payment method, so a retried request
    /// (or Stripe.net's own network retry) never charges twice, while another card after a decline is a new charge.
    /// The token itself is never part of anything stored or logged, only its hash.
    /// </summary>
    public static string ChargeIdempotencyKey(string orderId, string token) =>
        $"ticketing-charge-{orderId}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..16]}";

    /// <summary>The Stripe idempotency key of this payment's refund: one refund per payment, however often it is asked for.</summary>
    public string RefundIdempotencyKey() => $"ticketing-refund-{Id}";
}
