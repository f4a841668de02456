using Ticketing.Auth.Domain;

namespace Ticketing.Auth.Tests.Domain;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("  Ann@Example.COM ", "ann@example.com")]
    [InlineData("\tBOB@test.dev\n", "bob@test.dev")]
    [InlineData("already@normal.dev", "already@normal.dev")]
    [InlineData(null, "")]
    public void Normalize_TrimsAndLowerCases(string? raw, string expected) =>
        Assert.Equal(expected, EmailAddress.Normalize(raw));

    [Theory]
    [InlineData("a@b.co")]
    [InlineData("first.last+tag@sub.example.org")]
    [InlineData("o'brien@example.ie")]
    [InlineData("user@xn--bcher-kva.example")]
    [InlineData("user@123.example.com")]
    [InlineData("  Mixed@Case.Dev  ")]
    public void IsValid_AcceptsPlausibleAddresses(string email) => Assert.True(EmailAddress.IsValid(email));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("@example.com")]
    [InlineData("user@")]
    [InlineData("user@localhost")]
    [InlineData("a@b@c.dev")]
    [InlineData(".lead@example.com")]
    [InlineData("trail.@example.com")]
    [InlineData("two..dots@example.com")]
    [InlineData("user@-bad.com")]
    [InlineData("user@bad-.com")]
    [InlineData("user@exa_mple.com")]
    [InlineData("user@example..com")]
    [InlineData("user@127.0.0.1")]
    [InlineData("user@[127.0.0.1]")]
    [InlineData("\"quoted\"@example.com")]
    [InlineData("in side@example.com")]
    [InlineData("josé@example.com")]
    [InlineData("user@exämple.com")]
    public void IsValid_RefusesImplausibleAddresses(string? email) => Assert.False(EmailAddress.IsValid(email));

    [Fact]
    public void IsValid_AllowsAtMost254Characters_And64BeforeTheAt()
    {
        var longest = $"{new string('l', 64)}@{new string('a', 63)}.{new string('b', 63)}.{new string('c', 57)}.dev";

        Assert.Equal(254, longest.Length);
        Assert.True(EmailAddress.IsValid(longest));
        Assert.False(EmailAddress.IsValid(longest + "x"));
        Assert.False(EmailAddress.IsValid($"{new string('l', 65)}@example.com"));
    }
}
