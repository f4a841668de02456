using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Ticketing.Common.Auth;
using Ticketing.Common.Hosting;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Common.Tests.Auth;

public sealed class SessionTokenTests
{
    private static readonly string Key = TestUsers.NewJwtKey();

    private static JwtOptions Options(string key = "", string? lifetimeSeconds = null) => JwtOptions.From(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["JWT_KEY"] = key.Length == 0 ? Key : key,
            ["JWT_LIFETIME_SECONDS"] = lifetimeSeconds,
        }).Build());

    [Fact]
    public async Task ValidToken_GivesBackTheUser_WithIssueAndExpiryTimes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var tokens = new SessionTokens(Options(), time);

        var user = await tokens.ValidateAsync(tokens.Issue("user-1", "a@b.dev"));

        Assert.Equal(new SessionUser("user-1", "a@b.dev", time.GetUtcNow(), time.GetUtcNow().AddDays(7)), user);
    }

    [Fact]
    public void Token_CarriesTheContractClaims()
    {
        var token = new JsonWebToken(new SessionTokens(Options(), TimeProvider.System).Issue("user-1", "a@b.dev"));

        Assert.Equal("HS256", token.Alg);
        Assert.Equal("user-1", token.Subject);
        Assert.Equal("user-1", token.GetPayloadValue<string>("id"));
        Assert.Equal("a@b.dev", token.GetPayloadValue<string>("email"));
        Assert.True(token.TryGetPayloadValue<long>("iat", out _));
        Assert.True(token.TryGetPayloadValue<long>("exp", out _));
        Assert.Equal("ticketing", token.Issuer);
        Assert.Contains("ticketing", token.Audiences);
    }

    [Fact]
    public async Task ExpiredToken_IsRefused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var tokens = new SessionTokens(Options(lifetimeSeconds: "3600"), time);
        var token = tokens.Issue("user-1", "a@b.dev");

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(await tokens.ValidateAsync(token));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await tokens.ValidateAsync(token));
    }

    [Fact]
    public async Task TokenSignedWithAnotherKey_IsRefused()
    {
        var forged = new SessionTokens(Options(TestUsers.NewJwtKey()), TimeProvider.System).Issue("admin", "admin@b.dev");
        Assert.Null(await new SessionTokens(Options(), TimeProvider.System).ValidateAsync(forged));
    }

    [Fact]
    public async Task UnsignedToken_AlgNone_IsRefused()
    {
        var tokens = new SessionTokens(Options(), TimeProvider.System);
        var signed = new JsonWebToken(tokens.Issue("user-1", "a@b.dev"));
        static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(signed.EncodedPayload)).Replace("user-1", "admin", StringComparison.Ordinal);
        var unsigned = $"{B64("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{B64(payload)}.";

        Assert.Null(await tokens.ValidateAsync(unsigned));
    }

    [Fact]
    public async Task TamperedPayload_IsRefused()
    {
        var tokens = new SessionTokens(Options(), TimeProvider.System);
        var parts = tokens.Issue("user-1", "a@b.dev").Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("user-1", "user-2", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        Assert.Null(await tokens.ValidateAsync(tampered));
    }

    [Fact]
    public async Task WrongIssuerOrAudience_IsRefused()
    {
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Key));
        string Make(string issuer, string audience) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["id"] = "u", ["email"] = "u@b.dev" },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
        var tokens = new SessionTokens(Options(), TimeProvider.System);

        Assert.NotNull(await tokens.ValidateAsync(Make("ticketing", "ticketing")));
        Assert.Null(await tokens.ValidateAsync(Make("someone-else", "ticketing")));
        Assert.Null(await tokens.ValidateAsync(Make("ticketing", "someone-else")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    public async Task Garbage_IsRefused(string token)
    {
        Assert.Null(await new SessionTokens(Options(), TimeProvider.System).ValidateAsync(token));
    }

    [Fact]
    public void ShortJwtKey_StopsTheServiceWithAMessageNamingTheSetting()
    {
        var error = Assert.Throws<InvalidSettingException>(() => Options("only-20-bytes-long!!"));
        Assert.Equal("JWT_KEY", error.Setting);
        Assert.Contains("at least 32 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingJwtKey_StopsTheServiceWithAMessageNamingTheSetting()
    {
        var error = Assert.Throws<InvalidSettingException>(() =>
            JwtOptions.From(new ConfigurationBuilder().Build()));
        Assert.Contains("JWT_KEY is required", error.Message, StringComparison.Ordinal);
    }
}
