using System.Globalization;
using Ticketing.Common.Http;

namespace Ticketing.Client.Components.Pages.Tickets;

/// <summary>The sell and edit forms' fields. The price arrives as typed ("$1,200.50" included) and is read as money here.</summary>
public sealed class TicketForm
{
    public string? Title { get; set; }

    public string? Price { get; set; }

    /// <summary>
    /// The price as a number, or an error for the price field when it is not one. Empty is sent as no price, so the
    /// API's own message ("Price must be greater than 0") is shown.
    /// </summary>
    public (decimal? Price, ApiError? Error) ParsePrice()
    {
        var text = Price?.Trim().TrimStart('$').Replace(",", "", StringComparison.Ordinal).Trim();
        if (string.IsNullOrEmpty(text))
        {
            return (null, null);
        }

        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var price)
            ? (price, null)
            : (null, new ApiError("Price must be a number, like 25 or 19.99", "price"));
    }

    public static string Show(decimal price) => price.ToString("0.00", CultureInfo.InvariantCulture);
}
