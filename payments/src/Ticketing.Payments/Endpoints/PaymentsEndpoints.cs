using Microsoft.AspNetCore.Http.HttpResults;
using Stripe;
using Ticketing.Common.Auth;
using Ticketing.Common.Http;
using Ticketing.Payments.Extensions;

namespace Ticketing.Payments.Endpoints;

public static class PaymentsEndpoints
{
    public const string WebhookPath = "/api/payments/webhook";
    public const string InvalidSignatureMessage = "Invalid Stripe signature";
    public const string InvalidEventMessage = "Invalid Stripe event";

    /// <summary>How old a signed webhook may be (Stripe's default tolerance), so a captured delivery cannot be replayed later.</summary>
    public static readonly TimeSpan WebhookTolerance = TimeSpan.FromMinutes(5);

    public static RouteGroupBuilder MapPaymentsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/payments").WithTags("Payments");

        group.MapPost("/", CreateAsync)
            .WithName("CreatePayment")
            .WithSummary("Pays for one of the caller's orders with a Stripe payment method or test token")
            .RequireAuthorization()
            .WithValidation<CreatePaymentRequest>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status402PaymentRequired)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        // Stripe calls this, not a browser: no session, a signature instead, and a rate limit.
        group.MapPost("/webhook", WebhookAsync)
            .WithName("StripeWebhook")
            .WithSummary("Stripe events, verified with the Stripe-Signature header")
            .AllowAnonymous()
            .RequireRateLimiting(PaymentsServices.WebhookRateLimitPolicy)
            .Accepts<string>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        return group;
    }

    public static async Task<Created<PaymentResponse>> CreateAsync(
        CreatePaymentRequest request,
        ICurrentUser currentUser,
        PaymentProcessor processor,
        CancellationToken cancellationToken)
    {
        var payment = await processor.PayAsync(currentUser.Required.Id, request.OrderId!, request.Token!, cancellationToken);
        return TypedResults.Created($"/api/payments/{payment.Id}", PaymentResponse.From(payment));
    }

    public static async Task<Ok<WebhookResponse>> WebhookAsync(
        HttpRequest request,
        PaymentsOptions options,
        PaymentProcessor processor,
        ILogger<PaymentProcessor> logger,
        CancellationToken cancellationToken)
    {
        if (options.WebhookSecret is null)
        {
            throw new NotFoundException(); // STRIPE_WEBHOOK_SECRET not set: there is no webhook to call
        }

        using var reader = new StreamReader(request.Body);
        var json = await reader.ReadToEndAsync(cancellationToken);
        Event stripeEvent;
        try
        {
            // The signature first (HMAC of the raw body with the secret, and a timestamp within the tolerance); only then the body is read.
            EventUtility.ValidateSignature(json, request.Headers["Stripe-Signature"].ToString(), options.WebhookSecret, (long)WebhookTolerance.TotalSeconds);
        }
        catch (StripeException)
        {
            logger.LogWarning("A webhook call with a missing, wrong or stale Stripe-Signature was refused");
            throw new BadRequestException(InvalidSignatureMessage);
        }

        try
        {
            // Webhook endpoints may be pinned to another API version than Stripe.net's: only a few stable fields are read.
            stripeEvent = EventUtility.ParseEvent(json, throwOnApiVersionMismatch: false);
        }
        catch (Exception e) when (e is StripeException or Newtonsoft.Json.JsonException or System.Text.Json.JsonException or ArgumentException)
        {
            throw new BadRequestException(InvalidEventMessage);
        }

        await processor.HandleStripeEventAsync(stripeEvent, cancellationToken);
        return TypedResults.Ok(new WebhookResponse(true));
    }
}

/// <summary>What the webhook answers Stripe.</summary>
public sealed record WebhookResponse(bool Received);
