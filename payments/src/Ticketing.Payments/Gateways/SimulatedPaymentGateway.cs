using System.Collections.Concurrent;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Gateways;

/// <summary>
/// A stand-in for Stripe for the offline local run only (<c>PAYMENTS_SIMULATED=true</c>; never in production). It
/// accepts Stripe's test payment methods and answers as Stripe would: <c>tok_visa</c> and <c>pm_card_visa</c>
/// succeed; <c>tok_chargeDeclined</c> and <c>pm_card_chargeDeclined</c> are declined with Stripe's message;
/// <c>tok_threeDSecure2Required</c> and <c>pm_card_authenticationRequired</c> need authentication; anything else is
/// not a payment method. Like Stripe, the same idempotency key always gives the same answer.
/// </summary>
public sealed class SimulatedPaymentGateway : IPaymentGateway
{
    public const string DeclinedMessage = "Your card was declined.";

    private static readonly HashSet<string> Succeeding = ["tok_visa", "pm_card_visa", "tok_mastercard", "pm_card_mastercard"];
    private static readonly HashSet<string> Declining = ["tok_chargeDeclined", "pm_card_chargeDeclined"];
    private static readonly HashSet<string> Authenticating = ["tok_threeDSecure2Required", "pm_card_authenticationRequired"];

    private readonly ConcurrentDictionary<string, ChargeResult> _charges = new();
    private readonly ConcurrentDictionary<string, RefundResult> _refunds = new();

    public string Name => "simulated";

    public Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        Money.ToCents(request.Amount); // the same check Stripe's boundary makes
        return Task.FromResult(_charges.GetOrAdd(request.IdempotencyKey, _ => Charge(request.Token)));
    }

    public Task<RefundResult> RefundAsync(string intentId, string idempotencyKey, CancellationToken cancellationToken) =>
        Task.FromResult(_refunds.GetOrAdd(idempotencyKey, _ => new RefundResult($"re_sim_{Guid.NewGuid():N}", "succeeded")));

    private static ChargeResult Charge(string token)
    {
        var intent = $"pi_sim_{Guid.NewGuid():N}";
        if (Succeeding.Contains(token))
        {
            return new ChargeResult.Succeeded(intent);
        }

        if (Declining.Contains(token))
        {
            return new ChargeResult.Declined(DeclinedMessage, intent);
        }

        return Authenticating.Contains(token)
            ? new ChargeResult.RequiresAction(intent)
            : new ChargeResult.InvalidToken("No such payment method (payments are simulated: use tok_visa or pm_card_visa)");
    }
}
