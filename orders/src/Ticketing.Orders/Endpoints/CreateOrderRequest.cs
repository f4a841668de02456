using FluentValidation;
using Ticketing.Common.Storage;

namespace Ticketing.Orders.Endpoints;

/// <summary>The body of <c>POST /api/orders</c>.</summary>
public sealed record CreateOrderRequest(string? TicketId);

public sealed class CreateOrderRequestValidator : AbstractValidator<CreateOrderRequest>
{
    public const string TicketIdRequired = "TicketId must be provided";

    public CreateOrderRequestValidator()
    {
        // A malformed id can never name a ticket; a well-formed unknown one is a 404 from the endpoint.
        RuleFor(r => r.TicketId).Must(DocumentIds.IsValid).WithMessage(TicketIdRequired);
    }
}
