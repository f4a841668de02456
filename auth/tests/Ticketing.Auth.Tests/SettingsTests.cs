using System.Net;
using Ticketing.Auth.Tests.Infrastructure;
using Ticketing.Common.Hosting;

namespace Ticketing.Auth.Tests;

/// <summary>A missing or invalid setting stops the service at start with a message naming it (docs/api.md §2).</summary>
public sealed class SettingsTests
{
    private static InvalidSettingException StartupFailure(string setting, string? value)
    {
        using var app = new AuthApp();
        app.Settings[setting] = value;

        var thrown = Record.Exception(() => app.CreateClient());

        for (var e = thrown; e is not null; e = e.InnerException)
        {
            if (e is InvalidSettingException invalid)
            {
                return invalid;
            }
        }

        throw new Xunit.Sdk.XunitException($"The service started with {setting}='{value}' (or failed otherwise: {thrown})");
    }

    [Theory]
    [InlineData("JWT_KEY", "")]
    [InlineData("JWT_KEY", "only-31-bytes-long-secret-value")]
    [InlineData("JWT_LIFETIME_SECONDS", "a week")]
    [InlineData("JWT_LIFETIME_SECONDS", "0")]
    [InlineData("COOKIE_SECURE", "maybe")]
    [InlineData("AUTH_RATE_LIMIT", "ten")]
    [InlineData("AUTH_RATE_LIMIT", "0")]
    [InlineData("AUTH_RATE_LIMIT_WINDOW_SECONDS", "-5")]
    [InlineData("AUTH_RATE_LIMIT_WINDOW_SECONDS", "1m")]
    public void InvalidSetting_StopsTheService_NamingTheSetting(string setting, string value)
    {
        var failure = StartupFailure(setting, value);

        Assert.Equal(setting, failure.Setting);
        Assert.Contains(setting, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CookieSecureFalse_LeavesSecureOff_ForPlainHttpLocalRuns()
    {
        await using var app = new AuthApp();
        app.Settings["COOKIE_SECURE"] = "false";
        var client = app.CreateClientFrom();

        var signup = await client.SignUpAsync(AuthApi.NewEmail());
        var signout = await client.PostAsync(AuthApi.Signout, null);

        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        Assert.False(SetCookie.Session(signup).Secure);
        Assert.True(SetCookie.Session(signup).HttpOnly);
        Assert.Equal("session=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; samesite=lax; httponly", Assert.Single(SetCookie.Raw(signout)));
    }

    [Fact]
    public async Task WithoutMongoUri_UsesTheEmbeddedStore_InDataDir()
    {
        await using var app = new AuthApp();
        var client = app.CreateClientFrom();

        await client.NewUserAsync();

        Assert.True(File.Exists(Path.Combine(app.DataDirectory, "auth.db")));
        Assert.Contains("\"embedded\"", await client.GetStringAsync(ServiceDefaults.ReadyPath), StringComparison.Ordinal);
    }
}
