using FluentValidation;

namespace Ticketing.Payments.Endpoints;

/// <summary>
/// The body of <c>POST /api/payments</c>: <c>{ orderId, token }</c>. <c>token</c> is a Stripe PaymentMethod id
/// (<c>pm_...</c>) or a card token (<c>tok_visa</c>). Its ToString leaves the token out, so it can never reach a log.
/// </summary>
public sealed record CreatePaymentRequest(string? OrderId, string? Token)
{
    public override string ToString() => $"CreatePaymentRequest {{ OrderId = {OrderId} }}";
}

/// <summary>The contract's rules and messages, token before orderId (the contract's order).</summary>
public sealed class CreatePaymentRequestValidator : AbstractValidator<CreatePaymentRequest>
{
    public const int MaxTokenLength = 255;
    public const string TokenRequired = "Token is required";
    public const string OrderIdRequired = "OrderId is required";
    public static readonly string TokenTooLong = $"Token must be at most {MaxTokenLength} characters";

    public CreatePaymentRequestValidator()
    {
        RuleFor(r => r.Token).Cascade(CascadeMode.Stop)
            .Must(t => !string.IsNullOrWhiteSpace(t)).WithMessage(TokenRequired)
            .MaximumLength(MaxTokenLength).WithMessage(TokenTooLong);

        // A malformed id can never name an order; a well-formed unknown (or malformed) one is a 404 from the endpoint.
        RuleFor(r => r.OrderId).Must(id => !string.IsNullOrWhiteSpace(id)).WithMessage(OrderIdRequired);
    }
}
