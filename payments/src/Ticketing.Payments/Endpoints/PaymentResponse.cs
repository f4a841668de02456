using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Endpoints;

/// <summary>A payment as the API shows it: <c>{ id, orderId, stripeId }</c>.</summary>
public sealed record PaymentResponse(string Id, string OrderId, string StripeId)
{
    public static PaymentResponse From(Payment payment) =>
        new(payment.Id, payment.OrderId, payment.StripeId ?? throw new InvalidOperationException($"Payment {payment.Id} has no Stripe id: it did not succeed."));
}
