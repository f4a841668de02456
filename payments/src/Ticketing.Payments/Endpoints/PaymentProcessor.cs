using Stripe;
using Ticketing.Common.Domain;
using Ticketing.Common.Http;
using Ticketing.Common.Storage;
using Ticketing.Payments.Data;
using Ticketing.Payments.Domain;
using Ticketing.Payments.Gateways;

namespace Ticketing.Payments.Endpoints;

/// <summary>
/// The two ways a payment is recorded, and the one order of steps both keep: a buyer's request (claim the order,
/// charge, record the outcome) and Stripe's webhook (a charge Stripe confirms or refunds). Every write is a
/// compare-and-set or an insert against the unique claim, so the two can race and still record a charge once.
/// </summary>
public sealed partial class PaymentProcessor(
    IOrderReplicaStore orders,
    IPaymentStore payments,
    IPaymentGateway gateway,
    TimeProvider timeProvider,
    ILogger<PaymentProcessor> logger)
{
    public const string InProgressMessage = "A payment for this order is already in progress; try again shortly";
    public const string RequiresActionMessage = "Your card requires authentication (3-D Secure), which this payment could not complete; use another card";
    public const string UnavailableMessage = "Payments are unavailable right now; nothing was charged, try again shortly";

    private const int MaxAttempts = 5;

    /// <summary>
    /// Charges <paramref name="userId"/>'s order once, or throws the contract's error: 404 unknown order, 403 not the
    /// buyer, 400 cancelled / already paid, 409 another payment in progress, 402 declined (Stripe's reason) or
    /// authentication required, 400 unusable token, 503 payment provider unreachable.
    /// </summary>
    public async Task<Payment> PayAsync(string userId, string orderId, string token, CancellationToken cancellationToken)
    {
        if (!DocumentIds.IsValid(orderId) || await orders.GetAsync(orderId, cancellationToken) is not { } order || !order.IsKnown())
        {
            throw new NotFoundException(); // unknown, or its OrderCreated has not reached payments yet
        }

        if (order.UserId != userId)
        {
            throw new ForbiddenException();
        }

        var claim = await ClaimAsync(order, cancellationToken);
        ChargeResult result;
        try
        {
            result = await gateway.ChargeAsync(
                new ChargeRequest(order.Id, claim.Amount, claim.Currency, token, Payment.ChargeIdempotencyKey(order.Id, token)),
                cancellationToken);
        }
        catch (Exception e)
        {
            // Nothing is known to be charged: free the order. A charge that did go through is recorded by the webhook,
            // and a retry with the same card reuses the idempotency key, so Stripe answers it without charging again.
            await ReleaseAsync(claim, e is PaymentGatewayUnavailableException ? "payment provider unavailable" : "charge failed unexpectedly", null);
            if (e is PaymentGatewayUnavailableException)
            {
                throw new ApiException(StatusCodes.Status503ServiceUnavailable, [new ApiError(UnavailableMessage)]);
            }

            throw;
        }

        switch (result)
        {
            case ChargeResult.Succeeded succeeded:
                return await RecordChargeAsync(claim, succeeded.IntentId);
            case ChargeResult.Declined declined:
                await ReleaseAsync(claim, declined.Message, declined.IntentId);
                LogDeclined(order.Id, claim.Id);
                throw new ApiException(StatusCodes.Status402PaymentRequired, [new ApiError(declined.Message)]);
            case ChargeResult.RequiresAction action:
                // The intent stays open at Stripe; if the card holder authenticates, payment_intent.succeeded records it.
                await ReleaseAsync(claim, "requires authentication", action.IntentId);
                throw new ApiException(StatusCodes.Status402PaymentRequired, [new ApiError(RequiresActionMessage)]);
            case ChargeResult.InvalidToken invalid:
                await ReleaseAsync(claim, "invalid payment method", null);
                throw new BadRequestException(invalid.Message, "token");
            default:
                throw new InvalidOperationException($"Unknown charge result {result.GetType().Name}");
        }
    }

    /// <summary>Records what a verified Stripe event reports; events about other things are ignored.</summary>
    public async Task HandleStripeEventAsync(Event stripeEvent, CancellationToken cancellationToken)
    {
        switch (stripeEvent.Data?.Object)
        {
            case PaymentIntent intent when stripeEvent.Type == EventTypes.PaymentIntentSucceeded:
                await RecordConfirmedAsync(intent, cancellationToken);
                break;
            case Refund refund when stripeEvent.Type is EventTypes.RefundCreated or EventTypes.RefundUpdated && refund.PaymentIntentId is not null:
                await RecordRefundAsync(refund.PaymentIntentId, refund.Id, refund.Status, cancellationToken);
                break;
            case Charge { PaymentIntentId: not null } charge when stripeEvent.Type == EventTypes.ChargeRefunded
                                                                  && charge.Refunds?.Data?.FirstOrDefault() is { } latest:
                await RecordRefundAsync(charge.PaymentIntentId, latest.Id, latest.Status, cancellationToken);
                break;
            default:
                LogIgnoredEvent(stripeEvent.Type, stripeEvent.Id);
                break;
        }
    }

    /// <summary>
    /// payment_intent.succeeded for one of our intents (the order id in its metadata): the payment is recorded if it
    /// is not yet (once, however often Stripe delivers it), with its PaymentCreated.
    /// </summary>
    private async Task RecordConfirmedAsync(PaymentIntent intent, CancellationToken cancellationToken)
    {
        if (intent.Metadata?.GetValueOrDefault(StripePaymentGateway.OrderIdMetadataKey) is not { } orderId || !DocumentIds.IsValid(orderId))
        {
            LogNotOurs(intent.Id);
            return;
        }

        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var now = timeProvider.GetUtcNow();
            if (await payments.GetByStripeIdAsync(intent.Id, cancellationToken) is { } known)
            {
                if (known.Status == PaymentStatus.Succeeded)
                {
                    return; // recorded before: by the request that charged it, or an earlier delivery
                }

                // A request gave up on it (authentication required): Stripe's word is final, the order is paid.
                switch (await payments.ReplaceAsync(known, known.Succeed(intent.Id, now), cancellationToken))
                {
                    case WriteResult.Ok:
                        LogRecordedByWebhook(orderId, known.Id, intent.Id);
                        return;
                    case WriteResult.Duplicate:
                        LogChargedTwice(orderId, intent.Id);
                        return;
                    default:
                        continue;
                }
            }

            var holder = await payments.GetForOrderAsync(orderId, cancellationToken);
            if (holder is null)
            {
                var confirmed = Payment.Confirmed(orderId, intent.Id, Money.FromCents(intent.Amount), intent.Currency ?? Money.Currency, now);
                if (await payments.AddAsync(confirmed, cancellationToken) == WriteResult.Ok)
                {
                    LogRecordedByWebhook(orderId, confirmed.Id, intent.Id);
                    return;
                }

                continue; // a request claimed the order meanwhile
            }

            if (holder.Status == PaymentStatus.Succeeded)
            {
                LogChargedTwice(orderId, intent.Id);
                return;
            }

            // A request is charging this order right now: this is its intent, confirmed before its answer came back.
            if (await payments.ReplaceAsync(holder, holder.Succeed(intent.Id, now), cancellationToken) == WriteResult.Ok)
            {
                LogRecordedByWebhook(orderId, holder.Id, intent.Id);
                return;
            }
        }

        throw new InvalidOperationException($"Payment intent {intent.Id} of order {orderId} kept changing while it was recorded");
    }

    /// <summary>A refund Stripe reports (made here or in Stripe's dashboard) is recorded on its payment.</summary>
    private async Task RecordRefundAsync(string intentId, string refundId, string status, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (await payments.GetByStripeIdAsync(intentId, cancellationToken) is not { Status: PaymentStatus.Succeeded } payment)
            {
                LogNotOurs(intentId);
                return;
            }

            var next = payment.RecordRefund(refundId, status, timeProvider.GetUtcNow());
            if (ReferenceEquals(next, payment) || await payments.ReplaceAsync(payment, next, cancellationToken) == WriteResult.Ok)
            {
                return;
            }
        }

        throw new InvalidOperationException($"Payment of intent {intentId} kept changing while its refund was recorded");
    }

    /// <summary>Stores a pending payment holding the order, so that nobody else charges it meanwhile.</summary>
    private async Task<Payment> ClaimAsync(OrderReplica order, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var now = timeProvider.GetUtcNow();
            var claim = Payment.Claim(order, now); // 400 for a cancelled or completed order
            switch (await payments.AddAsync(claim, cancellationToken))
            {
                case WriteResult.Ok:
                    return claim;
                case WriteResult.Duplicate:
                    break;
                default:
                    throw new InvalidOperationException($"Storing payment {claim.Id} for order {order.Id} failed unexpectedly");
            }

            var holder = await payments.GetForOrderAsync(order.Id, cancellationToken);
            if (holder is null)
            {
                continue; // the holder failed and let go meanwhile: try again
            }

            if (holder.Status == PaymentStatus.Succeeded)
            {
                throw new DomainRuleException(OrderReplica.AlreadyPaidMessage);
            }

            if (!holder.IsAbandonedAt(now))
            {
                throw new ConflictException(InProgressMessage);
            }

            // Its request died mid-charge long ago (a charge that went through would have reached us by webhook).
            await payments.ReplaceAsync(holder, holder.Fail("abandoned"), cancellationToken);
        }

        throw new ConflictException(InProgressMessage);
    }

    /// <summary>Records the charge on the claim (PaymentCreated in its outbox), even if the buyer has gone away meanwhile.</summary>
    private async Task<Payment> RecordChargeAsync(Payment claim, string intentId)
    {
        var succeeded = claim.Succeed(intentId, timeProvider.GetUtcNow());
        if (await payments.ReplaceAsync(claim, succeeded, CancellationToken.None) == WriteResult.Ok)
        {
            LogPaid(claim.OrderId, claim.Id, intentId);
            return succeeded;
        }

        // The webhook recorded this very charge first.
        var stored = await payments.GetAsync(claim.Id, CancellationToken.None);
        return stored is { Status: PaymentStatus.Succeeded } && stored.StripeId == intentId
            ? stored
            : throw new InvalidOperationException($"Payment {claim.Id} of order {claim.OrderId} changed while intent {intentId} was recorded");
    }

    /// <summary>Frees the order after a charge that did not happen (declined, or unknown), keeping the attempt for support.</summary>
    private async Task ReleaseAsync(Payment claim, string reason, string? intentId)
    {
        var result = await payments.ReplaceAsync(claim, claim.Fail(reason, intentId), CancellationToken.None);
        if (result != WriteResult.Ok)
        {
            // The webhook recorded it as succeeded meanwhile (Stripe's word wins): nothing to free.
            LogReleaseSkipped(claim.Id, claim.OrderId, result);
        }
    }

    [LoggerMessage(LogLevel.Information, "Order {OrderId} is paid: payment {PaymentId}, Stripe {StripeId}")]
    private partial void LogPaid(string orderId, string paymentId, string stripeId);

    [LoggerMessage(LogLevel.Information, "A card was declined for order {OrderId} (payment attempt {PaymentId})")]
    private partial void LogDeclined(string orderId, string paymentId);

    [LoggerMessage(LogLevel.Information, "Stripe confirmed intent {StripeId}: order {OrderId} is paid (payment {PaymentId}, recorded from the webhook)")]
    private partial void LogRecordedByWebhook(string orderId, string paymentId, string stripeId);

    [LoggerMessage(LogLevel.Error, "Order {OrderId} is already paid, yet Stripe confirmed another intent {StripeId} for it: refund that one in Stripe")]
    private partial void LogChargedTwice(string orderId, string stripeId);

    [LoggerMessage(LogLevel.Information, "Stripe event about {StripeId} is not about one of our payments; ignored")]
    private partial void LogNotOurs(string stripeId);

    [LoggerMessage(LogLevel.Debug, "Stripe event {EventType} ({EventId}) is not one payments acts on; ignored")]
    private partial void LogIgnoredEvent(string eventType, string eventId);

    [LoggerMessage(LogLevel.Warning, "Payment {PaymentId} of order {OrderId} was not released ({Result}): it changed meanwhile")]
    private partial void LogReleaseSkipped(string paymentId, string orderId, WriteResult result);
}
