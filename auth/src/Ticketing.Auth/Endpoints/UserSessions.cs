using Ticketing.Auth.Domain;
using Ticketing.Common.Auth;

namespace Ticketing.Auth.Endpoints;

/// <summary>
/// Starts and ends a session: the signed JWT in the <c>session</c> cookie, which expires with the token. Ending it
/// revokes the token's id everywhere (decision 0011), not only in this browser.
/// </summary>
public sealed class UserSessions(SessionTokens tokens, SessionCookie cookie, JwtOptions jwt, TimeProvider timeProvider, SessionRevoker revoker)
{
    public void Start(HttpResponse response, User user)
    {
        var token = tokens.Issue(user.Id, user.Email);
        cookie.Append(response, token, timeProvider.GetUtcNow() + jwt.Lifetime);
    }

    /// <summary>Expires the cookie and revokes the request's session (if any), so its token is refused by every service.</summary>
    public async Task EndAsync(HttpResponse response, SessionUser? session, CancellationToken cancellationToken)
    {
        cookie.Expire(response);
        if (session is not null)
        {
            await revoker.RevokeAsync(session, cancellationToken);
        }
    }
}
