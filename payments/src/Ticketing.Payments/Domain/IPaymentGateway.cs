namespace Ticketing.Payments.Domain;

/// <summary>What to charge: the order's amount (a decimal; the gateway converts it to whole cents exactly).</summary>
public sealed record ChargeRequest(string OrderId, decimal Amount, string Currency, string Token, string IdempotencyKey)
{
    // The token never appears in logs or exception messages, not even through a record's ToString.
    public override string ToString() => $"ChargeRequest {{ OrderId = {OrderId}, Amount = {Amount}, Currency = {Currency} }}";
}

/// <summary>How a charge ended.</summary>
public abstract record ChargeResult
{
    /// <summary>The money is taken: the PaymentIntent succeeded.</summary>
    public sealed record Succeeded(string IntentId) : ChargeResult;

    /// <summary>The card was declined; <see cref="Message"/> is Stripe's reason, fit for the buyer.</summary>
    public sealed record Declined(string Message, string? IntentId) : ChargeResult;

    /// <summary>The bank wants the card holder to authenticate (3-D Secure) before the charge can succeed.</summary>
    public sealed record RequiresAction(string IntentId) : ChargeResult;

    /// <summary>The token is not a usable payment method (unknown, used up, malformed).</summary>
    public sealed record InvalidToken(string Message) : ChargeResult;
}

public sealed record RefundResult(string RefundId, string Status);

/// <summary>The payment provider could not be asked (down, timed out, misconfigured): nothing is known to be charged.</summary>
public sealed class PaymentGatewayUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Charges and refunds. Stripe in every real deployment (<c>STRIPE_KEY</c>); a simulated gateway only where it is
/// explicitly enabled (<c>PAYMENTS_SIMULATED=true</c>, the local offline run).
/// </summary>
public interface IPaymentGateway
{
    /// <summary>"stripe" or "simulated", for logs and the health report.</summary>
    string Name { get; }

    /// <summary>Creates and confirms a charge. Declines are results; an unreachable provider throws <see cref="PaymentGatewayUnavailableException"/>.</summary>
    Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken);

    /// <summary>Gives back the whole of a succeeded charge. The same key always gives the same single refund.</summary>
    Task<RefundResult> RefundAsync(string intentId, string idempotencyKey, CancellationToken cancellationToken);
}
