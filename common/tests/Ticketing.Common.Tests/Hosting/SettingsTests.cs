using Microsoft.Extensions.Configuration;
using Ticketing.Common.Hosting;

namespace Ticketing.Common.Tests.Hosting;

public sealed class SettingsTests
{
    private static IConfiguration Config(string key, string? value) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

    [Fact]
    public void MissingRequiredSetting_NamesIt_AndSaysWhatToSet()
    {
        var error = Assert.Throws<InvalidSettingException>(() => Config("OTHER", "x").Required("NATS_URL", "for example nats://localhost:4222"));
        Assert.Equal("Configuration error: NATS_URL is required: for example nats://localhost:4222", error.Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("99999999999")]
    public void InvalidNumber_NamesTheSetting(string value)
    {
        var error = Assert.Throws<InvalidSettingException>(() => Config("ORDER_EXPIRATION_WINDOW_SECONDS", value).Int("ORDER_EXPIRATION_WINDOW_SECONDS", 900, 1, 86400));
        Assert.Equal("ORDER_EXPIRATION_WINDOW_SECONDS", error.Setting);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 900)]
    [InlineData("60", 60)]
    public void Number_DefaultsOrParses(string? value, int expected) =>
        Assert.Equal(expected, Config("N", value).Int("N", 900, 1, 86400));

    [Theory]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("TRUE", true)]
    [InlineData(null, true)]
    public void Bool_ParsesCommonSpellings(string? value, bool expected) => Assert.Equal(expected, Config("COOKIE_SECURE", value).Bool("COOKIE_SECURE", true));

    [Fact]
    public void InvalidBool_NamesTheSetting()
    {
        Assert.Equal("COOKIE_SECURE", Assert.Throws<InvalidSettingException>(() => Config("COOKIE_SECURE", "maybe").Bool("COOKIE_SECURE", true)).Setting);
    }
}
