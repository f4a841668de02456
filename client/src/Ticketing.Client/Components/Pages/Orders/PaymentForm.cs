namespace Ticketing.Client.Components.Pages.Orders;

/// <summary>
/// The payment form: the card token (a Stripe PaymentMethod id from Stripe Elements, or a test token such as
/// <c>tok_visa</c> when payments are simulated). The card number itself never reaches this server.
/// </summary>
public sealed class PaymentForm
{
    public const string SimulatedDefault = "tok_visa";

    public string? Token { get; set; }
}
