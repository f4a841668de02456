using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Tests.Domain;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("19.99", 1999)]
    [InlineData("0.29", 29)]
    [InlineData("0.01", 1)]
    [InlineData("1000000.00", 100000000)]
    [InlineData("10.50", 1050)]
    [InlineData("10.500", 1050)]
    [InlineData("4.35", 435)]
    [InlineData("1.005e0", -1)]
    public void ToCents_IsExact(string amount, long expected)
    {
        var value = decimal.Parse(amount, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
        if (expected < 0)
        {
            Assert.Throws<ArgumentException>(() => Money.ToCents(value));
            return;
        }

        Assert.Equal(expected, Money.ToCents(value));
        Assert.Equal(value, Money.FromCents(expected));
    }

    [Fact]
    public void ToCents_WhereFloatingPointWouldBeOffByOne_IsStillExact()
    {
        // The course's Math.round-free float multiply: 4.35 * 100 = 434.99999999999994 in binary floating point.
        Assert.Equal(434, (long)(4.35 * 100));
        Assert.Equal(435, Money.ToCents(4.35m));
        Assert.All(Enumerable.Range(1, 100_000), cents => Assert.Equal(cents, Money.ToCents(cents / 100m)));
    }

    [Fact]
    public void ToCents_RefusesNegativeAmounts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Money.ToCents(-1m));
    }
}
