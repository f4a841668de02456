using Ticketing.Common.Storage;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Data;

/// <summary>
/// The payments service's own store. The unique index on <see cref="Payment.ClaimKey"/> is what makes "at most one
/// charge per order" hold on both backends: of any number of concurrent <see cref="AddAsync"/> calls for one order
/// exactly one is <see cref="WriteResult.Ok"/>, the rest <see cref="WriteResult.Duplicate"/>. Writes are atomic
/// with the events in the payment's outbox.
/// </summary>
public interface IPaymentStore
{
    Task<Payment?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The payment holding the order (pending or succeeded), if any.</summary>
    Task<Payment?> GetForOrderAsync(string orderId, CancellationToken cancellationToken = default);

    /// <summary>The payment of a Stripe PaymentIntent, if any.</summary>
    Task<Payment?> GetByStripeIdAsync(string stripeId, CancellationToken cancellationToken = default);

    /// <summary>Every payment ever attempted for an order (failed ones too), oldest first.</summary>
    Task<IReadOnlyList<Payment>> ListForOrderAsync(string orderId, CancellationToken cancellationToken = default);

    /// <summary>Stores a new payment; <see cref="WriteResult.Duplicate"/> when another payment holds the order.</summary>
    Task<WriteResult> AddAsync(Payment payment, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="next"/> only if the stored payment is still at <paramref name="current"/>'s version
    /// (<see cref="WriteResult.Conflict"/> otherwise, <see cref="WriteResult.Duplicate"/> when it would take an order another payment holds).
    /// </summary>
    Task<WriteResult> ReplaceAsync(Payment current, Payment next, CancellationToken cancellationToken = default);
}
