using FluentValidation;
using Ticketing.Tickets.Domain;

namespace Ticketing.Tickets.Endpoints;

/// <summary>What a seller sends to put a ticket up for sale: <c>{ title, price }</c>.</summary>
public sealed record CreateTicketRequest(string? Title, decimal? Price) : ITicketFields;

/// <summary>What the owner sends to change a ticket: <c>{ title, price }</c> (both, as on create).</summary>
public sealed record UpdateTicketRequest(string? Title, decimal? Price) : ITicketFields;

/// <summary>The fields create and update share, so one set of rules checks both.</summary>
public interface ITicketFields
{
    string? Title { get; }
    decimal? Price { get; }
}

public sealed class CreateTicketRequestValidator : TicketFieldsValidator<CreateTicketRequest>;

public sealed class UpdateTicketRequestValidator : TicketFieldsValidator<UpdateTicketRequest>;

/// <summary>
/// The contract's rules and messages, title before price (the contract's order). Each field reports its first
/// failure only, so a missing price says "greater than 0" rather than three things at once.
/// </summary>
public abstract class TicketFieldsValidator<T> : AbstractValidator<T> where T : ITicketFields
{
    public const string TitleRequired = "Title is required";
    public const string PriceRequired = "Price must be greater than 0";
    public static readonly string TitleTooLong = $"Title must be at most {Ticket.MaxTitleLength} characters";
    public const string TitleHiddenCharacters = "Title must not contain control or text-direction characters";
    public static readonly string PriceTooPrecise = $"Price must have at most {Ticket.PriceDecimals} decimal places";
    public static readonly string PriceTooHigh = $"Price must be at most {Ticket.MaxPrice:0}";

    protected TicketFieldsValidator()
    {
        RuleFor(r => r.Title)
            .Cascade(CascadeMode.Stop)
            .Must(title => !string.IsNullOrWhiteSpace(title)).WithMessage(TitleRequired)
            .Must(title => title!.Trim().Length <= Ticket.MaxTitleLength).WithMessage(TitleTooLong)
            .Must(title => Ticket.HasOnlyVisibleText(title!)).WithMessage(TitleHiddenCharacters);

        RuleFor(r => r.Price)
            .Cascade(CascadeMode.Stop)
            .Must(price => price > 0).WithMessage(PriceRequired)
            .Must(price => Ticket.HasAtMostPriceDecimals(price!.Value)).WithMessage(PriceTooPrecise)
            .Must(price => price <= Ticket.MaxPrice).WithMessage(PriceTooHigh);
    }
}
