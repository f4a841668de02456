using System.Net;
using Stripe;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Gateways;

/// <summary>
/// Charges through Stripe (Stripe.net): one PaymentIntent per charge, created and confirmed in one call for the
/// amount in whole cents, with the order id in its metadata and the caller's idempotency key, so a retried call
/// (ours or Stripe.net's own network retry) returns the same intent instead of charging again.
/// </summary>
public sealed class StripePaymentGateway(IStripeClient client, ILogger<StripePaymentGateway> logger) : IPaymentGateway
{
    public const string OrderIdMetadataKey = "orderId";

    private readonly PaymentIntentService _intents = new(client);
    private readonly RefundService _refunds = new(client);

    public string Name => "stripe";

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        var options = new PaymentIntentCreateOptions
        {
            Amount = Money.ToCents(request.Amount),
            Currency = request.Currency,
            Confirm = true,
            Metadata = new Dictionary<string, string> { [OrderIdMetadataKey] = request.OrderId },
            // Cards only, confirmed here: no redirect-based method that would need a return_url.
            AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
        };
        if (request.Token.StartsWith("tok_", StringComparison.Ordinal))
        {
            // A card token (Stripe's test tokens such as tok_visa): the intent makes its payment method from it.
            options.AddExtraParam("payment_method_data", new Dictionary<string, object>
            {
                ["type"] = "card",
                ["card"] = new Dictionary<string, object> { ["token"] = request.Token },
            });
        }
        else
        {
            options.PaymentMethod = request.Token; // a PaymentMethod id (pm_...), as Stripe Elements creates
        }

        PaymentIntent intent;
        try
        {
            intent = await _intents.CreateAsync(options, new RequestOptions { IdempotencyKey = request.IdempotencyKey }, cancellationToken);
        }
        catch (StripeException e) when (e.StripeError?.Type == "card_error")
        {
            return new ChargeResult.Declined(e.StripeError.Message ?? "Your card was declined.", e.StripeError.PaymentIntent?.Id);
        }
        catch (StripeException e) when (e.StripeError is { Type: "invalid_request_error" } error
                                        && (error.Param?.StartsWith("payment_method", StringComparison.Ordinal) == true || error.Code == "resource_missing"))
        {
            return new ChargeResult.InvalidToken(error.Message ?? "The payment token is not valid");
        }
        catch (Exception e) when (e is StripeException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var status = (e as StripeException)?.HttpStatusCode ?? 0;
            logger.LogError(e, "Stripe could not charge order {OrderId} (HTTP {Status}, {ErrorType})",
                request.OrderId, (int)status, (e as StripeException)?.StripeError?.Type);
            throw new PaymentGatewayUnavailableException("Stripe could not be asked to charge the order", e);
        }

        return intent.Status switch
        {
            "succeeded" => new ChargeResult.Succeeded(intent.Id),
            "requires_action" => new ChargeResult.RequiresAction(intent.Id),
            _ => new ChargeResult.Declined(intent.LastPaymentError?.Message ?? $"The payment was not completed (Stripe says {intent.Status})", intent.Id),
        };
    }

    public async Task<RefundResult> RefundAsync(string intentId, string idempotencyKey, CancellationToken cancellationToken)
    {
        try
        {
            var refund = await _refunds.CreateAsync(
                new RefundCreateOptions { PaymentIntent = intentId },
                new RequestOptions { IdempotencyKey = idempotencyKey },
                cancellationToken);
            return new RefundResult(refund.Id, refund.Status);
        }
        catch (StripeException e) when (e.HttpStatusCode is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError or 0)
        {
            throw new PaymentGatewayUnavailableException($"Stripe could not be asked to refund {intentId}", e);
        }
    }
}
