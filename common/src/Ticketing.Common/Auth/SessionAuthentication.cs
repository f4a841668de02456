using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ticketing.Common.Hosting;
using Ticketing.Common.Http;

namespace Ticketing.Common.Auth;

/// <summary>
/// The one authentication scheme of every API service: the session JWT from the <c>session</c> cookie or an
/// <c>Authorization: Bearer</c> header, validated locally with the shared key. Challenges and refusals are
/// answered in the error contract (401 <c>Not authorized</c>, 403 <c>Forbidden</c>).
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionTokens tokens,
    RevokedSessions revoked) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = BearerToken() ?? Request.Cookies[SessionCookie.Name];
        if (string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }

        var user = await tokens.ValidateAsync(token);
        if (user is null)
        {
            return AuthenticateResult.Fail("The session token is not valid.");
        }

        if (revoked.IsRevoked(user.SessionId))
        {
            return AuthenticateResult.Fail("The session has ended (signed out).");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id),
                new Claim(SessionClaims.Id, user.Id),
                new Claim(SessionClaims.Email, user.Email),
                new Claim(SessionClaims.SessionId, user.SessionId),
                new Claim(SessionClaims.IssuedAt, user.IssuedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
                new Claim(SessionClaims.ExpiresAt, user.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            ],
            SchemeName,
            SessionClaims.Email,
            ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ApiProblem.WriteAsync(Context, StatusCodes.Status401Unauthorized);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblem.WriteAsync(Context, StatusCodes.Status403Forbidden);

    private string? BearerToken()
    {
        var header = Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}

/// <summary>
/// The <c>session</c> cookie: the JWT, <c>HttpOnly</c>, <c>SameSite=Lax</c>, <c>Path=/</c>, and <c>Secure</c>
/// unless <c>COOKIE_SECURE=false</c> (plain-http local runs only).
/// </summary>
public sealed class SessionCookie(bool secure)
{
    public const string Name = "session";

    public bool Secure { get; } = secure;

    public void Append(HttpResponse response, string token, DateTimeOffset expires) =>
        response.Cookies.Append(Name, token, Options(expires));

    /// <summary>Signs the browser out: the same cookie, empty and already expired.</summary>
    public void Expire(HttpResponse response) =>
        response.Cookies.Append(Name, string.Empty, Options(DateTimeOffset.UnixEpoch));

    private CookieOptions Options(DateTimeOffset expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        Secure = Secure,
        Expires = expires,
        IsEssential = true,
    };
}

/// <summary>The signed-in user of the current request.</summary>
public interface ICurrentUser
{
    /// <summary>The user, or null for an anonymous request.</summary>
    SessionUser? User { get; }

    /// <summary>The user; throws <see cref="NotAuthorizedException"/> (401) for an anonymous request.</summary>
    SessionUser Required => User ?? throw new NotAuthorizedException();
}

internal sealed class HttpCurrentUser(IHttpContextAccessor accessor) : ICurrentUser
{
    public SessionUser? User => accessor.HttpContext?.User.ToSessionUser();
}

public static class SessionAuthenticationExtensions
{
    /// <summary>
    /// Registers token validation (<c>JWT_KEY</c> required, base64 of at least 32 bytes), the session scheme,
    /// authorization, the cookie settings, <see cref="ICurrentUser"/> and the revoked sessions: with <c>NATS_URL</c>
    /// a watcher of the <c>revoked-sessions</c> bucket, so a signed-out token is refused here within about a
    /// millisecond of auth writing it. Throws <see cref="InvalidSettingException"/> at start when a setting is
    /// missing or invalid.
    /// </summary>
    public static IHostApplicationBuilder AddSessionAuthentication(this IHostApplicationBuilder builder)
    {
        var jwt = JwtOptions.From(builder.Configuration);
        builder.Services.AddSingleton(jwt);
        var revocation = SessionRevocationOptions.From(builder.Configuration, jwt);
        builder.Services.AddSingleton(revocation);
        builder.Services.AddSingleton<RevokedSessions>();
        builder.Services.AddSingleton<RevocationBucket>();
        if (revocation.NatsUrl is not null)
        {
            builder.Services.AddHostedService<RevokedSessionsWatcher>();
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SessionTokens>();
        builder.Services.AddSingleton(new SessionCookie(builder.Configuration.Bool("COOKIE_SECURE", true)));
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<ICurrentUser, HttpCurrentUser>();
        builder.Services
            .AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>
    /// For the service that ends sessions (auth): <see cref="SessionRevoker"/>, which remembers a revocation at once
    /// and writes it to the shared bucket (creating it at start) when <c>NATS_URL</c> is set.
    /// </summary>
    public static IHostApplicationBuilder AddSessionRevocation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SessionRevoker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SessionRevoker>());
        return builder;
    }
}
