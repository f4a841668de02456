using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Ticketing.Common.Hosting;

namespace Ticketing.Common.Auth;

/// <summary>The signed-in user a token speaks for.</summary>
public sealed record SessionUser(string Id, string Email, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>The token's own id (<c>jti</c>): what sign-out revokes, so one session ends and the user's others go on.</summary>
    public string SessionId { get; init; } = string.Empty;
}

/// <summary>
/// The token settings every service shares. <c>JWT_KEY</c> is required: base64 of at least 32 random bytes (the
/// decoded bytes are the HMAC key), so a short or typed-in password can never be the signing key.
/// </summary>
public sealed record JwtOptions(byte[] Key, string Issuer, string Audience, TimeSpan Lifetime)
{
    public const int MinimumKeyBytes = 32;

    public static JwtOptions From(IConfiguration configuration)
    {
        var key = configuration.Required("JWT_KEY", $"the HS256 signing key shared by every service, base64 of at least {MinimumKeyBytes} random bytes (for example `openssl rand -base64 48`)");
        var bytes = DecodeKey(key);
        if (bytes is null || bytes.Length < MinimumKeyBytes)
        {
            throw new InvalidSettingException("JWT_KEY", $"must be base64 of at least {MinimumKeyBytes} random bytes (got {(bytes is null ? "text that is not base64" : $"{bytes.Length} bytes")}); generate one with `openssl rand -base64 48`");
        }

        return new JwtOptions(
            bytes,
            configuration.Optional("JWT_ISSUER") ?? "ticketing",
            configuration.Optional("JWT_AUDIENCE") ?? "ticketing",
            configuration.Seconds("JWT_LIFETIME_SECONDS", TimeSpan.FromDays(7), 60, 366 * 24 * 3600));
    }

    /// <summary>The bytes of a base64 (or base64url) key, or null when it is not base64.</summary>
    public static byte[]? DecodeKey(string key)
    {
        var text = key.Trim().Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }
}

/// <summary>
/// Issues and validates the session JWT: HS256 only (a token signed otherwise, or not at all, is refused),
/// issuer and audience checked, expiry checked against <see cref="TimeProvider"/> so tests control time.
/// Claims: <c>sub</c> and <c>id</c> (the user id), <c>email</c>, <c>jti</c> (this session's id, random), <c>iat</c>,
/// <c>exp</c>. A token without a <c>jti</c> is refused: it could not be revoked.
/// </summary>
public sealed class SessionTokens(JwtOptions options, TimeProvider timeProvider)
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SymmetricSecurityKey _key = new(options.Key);

    public string Issue(string userId, string email)
    {
        var now = timeProvider.GetUtcNow();
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + options.Lifetime).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = userId,
                ["id"] = userId,
                [JwtRegisteredClaimNames.Email] = email,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The user of a valid token, or null for anything else (expired, wrong key, wrong algorithm, garbage).</summary>
    public async Task<SessionUser?> ValidateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 8192)
        {
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            LifetimeValidator = ValidateLifetime,
            ClockSkew = ClockSkew,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        return jwt.TryGetPayloadValue<string>("id", out var id) && !string.IsNullOrEmpty(id)
               && jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Email, out var email)
               && jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Jti, out var sessionId) && IsSessionId(sessionId)
            ? new SessionUser(id, email, new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero), new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero)) { SessionId = sessionId }
            : null;
    }

    /// <summary>A session id is 32 lowercase hex digits (also a valid key of the revocation bucket).</summary>
    public static bool IsSessionId(string? value) =>
        value is { Length: 32 } && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        return expires is { } exp && now < exp.ToUniversalTime() + ClockSkew
            && (notBefore is not { } nbf || now + ClockSkew >= nbf.ToUniversalTime());
    }
}

public static class SessionClaims
{
    public const string Id = "id";
    public const string Email = "email";
    public const string IssuedAt = "iat";
    public const string ExpiresAt = "exp";
    public const string SessionId = "jti";

    public static SessionUser? ToSessionUser(this ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue(Id);
        var email = principal.FindFirstValue(Email);
        if (id is null || email is null)
        {
            return null;
        }

        return new SessionUser(
            id,
            email,
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(principal.FindFirstValue(IssuedAt) ?? "0", System.Globalization.CultureInfo.InvariantCulture)),
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(principal.FindFirstValue(ExpiresAt) ?? "0", System.Globalization.CultureInfo.InvariantCulture)))
        {
            SessionId = principal.FindFirstValue(SessionId) ?? string.Empty,
        };
    }
}
