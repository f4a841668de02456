using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Payments.Data;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Events;

/// <summary>
/// OrderRefundRequested: orders could not accept a payment (the order was cancelled first, or already paid), so the
/// money goes back: one Stripe refund per payment, recorded on it. A redelivery finds the refund recorded and calls
/// nobody; a redelivery after a lost write calls Stripe with the same idempotency key and gets the same refund back.
/// </summary>
public sealed class OrderRefundRequestedHandler(
    IPaymentStore payments,
    IPaymentGateway gateway,
    TimeProvider timeProvider,
    ILogger<OrderRefundRequestedHandler> logger) : IEventHandler<OrderRefundRequestedV1>
{
    public async Task<HandlerOutcome> HandleAsync(OrderRefundRequestedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        var payment = await payments.GetAsync(@event.PaymentId, cancellationToken);
        if (payment is null || payment.StripeId != @event.StripeId || payment.OrderId != @event.OrderId)
        {
            // Orders only learns payment ids from PaymentCreated, which payments publishes after storing the payment.
            return HandlerOutcome.Park($"payment {@event.PaymentId} ({@event.StripeId}) of order {@event.OrderId} is not one payments made");
        }

        if (payment.RefundId is not null)
        {
            return HandlerOutcome.Ack; // refunded before
        }

        if (payment.Status != PaymentStatus.Succeeded)
        {
            return HandlerOutcome.Park($"payment {payment.Id} is {payment.Status}: there is nothing to refund");
        }

        var refund = await gateway.RefundAsync(payment.StripeId!, payment.RefundIdempotencyKey(), cancellationToken);
        var result = await payments.ReplaceAsync(payment, payment.RecordRefund(refund.RefundId, refund.Status, timeProvider.GetUtcNow()), cancellationToken);
        if (result != WriteResult.Ok)
        {
            return HandlerOutcome.Retry($"payment {payment.Id} changed while its refund {refund.RefundId} was recorded ({result})");
        }

        logger.LogWarning("Payment {PaymentId} of order {OrderId} was refunded ({RefundId}, {RefundStatus}): orders could not accept it",
            payment.Id, payment.OrderId, refund.RefundId, refund.Status);
        return HandlerOutcome.Ack;
    }
}
