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

        Assert.Equal(new SessionUser("user-1", "a@b.dev", time.GetUtcNow(), time.GetUtcNow().AddDays(7)) { SessionId = user!.SessionId }, user);
        Assert.True(SessionTokens.IsSessionId(user.SessionId));
    }

    [Fact]
    public void Token_CarriesTheContractClaims()
    {
        var token = new JsonWebToken(new SessionTokens(Options(), TimeProvider.System).Issue("user-1", "a@b.dev"));

        Assert.Equal("HS256", token.Alg);
        Assert.Equal("user-1", token.Subject);
        Assert.Equal("user-1", token.GetPayloadValue<string>("id"));
        Assert.Equal("a@b.dev", token.GetPayloadValue<string>("email"));
        Assert.Matches("^[0-9a-f]{32}$", token.Id);
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
        var key = new SymmetricSecurityKey(Convert.FromBase64String(Key));
        string Make(string issuer, string audience) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["id"] = "u", ["email"] = "u@b.dev", ["jti"] = Guid.NewGuid().ToString("N") },
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
    public async Task TokenWithoutASessionId_IsRefused()
    {
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "ticketing",
            Audience = "ticketing",
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["id"] = "u", ["email"] = "u@b.dev" },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(Key)), SecurityAlgorithms.HmacSha256),
        });

        Assert.Null(await new SessionTokens(Options(), TimeProvider.System).ValidateAsync(token));
    }

    [Theory]
    [InlineData("only-20-bytes-long!!", "not base64")]                                       // a passphrase
    [InlineData("this is a long passphrase typed by hand, 56 characters!", "not base64")]     // long, but not random bytes
    [InlineData("MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5", "30 bytes")]                      // base64 of 30 bytes (40 characters)
    public void WeakJwtKey_StopsTheServiceWithAMessageNamingTheSetting(string key, string why)
    {
        var error = Assert.Throws<InvalidSettingException>(() => Options(key));
        Assert.Equal("JWT_KEY", error.Setting);
        Assert.Contains("base64 of at least 32 random bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JwtKey_OfExactly32RandomBytes_IsTheDecodedSigningKey()
    {
        var bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

        Assert.Equal(bytes, Options(Convert.ToBase64String(bytes)).Key);
        Assert.Equal(bytes, Options(Base64UrlEncoder.Encode(bytes)).Key);  // base64url (no padding) too
    }

    [Fact]
    public void MissingJwtKey_StopsTheServiceWithAMessageNamingTheSetting()
    {
        var error = Assert.Throws<InvalidSettingException>(() =>
            JwtOptions.From(new ConfigurationBuilder().Build()));
        Assert.Contains("JWT_KEY is required", error.Message, StringComparison.Ordinal);
    }
}
