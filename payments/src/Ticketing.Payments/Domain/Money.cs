namespace Ticketing.Payments.Domain;

/// <summary>
/// Money is a decimal with at most two places in the domain and integer cents at the Stripe boundary. The
/// conversion is exact: 19.99 is 1999, never 1998.9999 (the course multiplied a float by 100).
/// </summary>
public static class Money
{
    public const string Currency = "usd";

    /// <summary>The amount in cents; throws for a negative amount or one with more than two decimal places.</summary>
    public static long ToCents(decimal amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var cents = amount * 100m; // decimal arithmetic: exact for two places
        if (cents != decimal.Truncate(cents))
        {
            throw new ArgumentException($"{amount} has more than two decimal places; it cannot be charged in whole cents.", nameof(amount));
        }

        return decimal.ToInt64(cents);
    }

    /// <summary>The decimal amount of <paramref name="cents"/> (two places).</summary>
    public static decimal FromCents(long cents) => decimal.Divide(cents, 100m);
}
