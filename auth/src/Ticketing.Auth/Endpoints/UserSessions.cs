using Ticketing.Auth.Domain;
using Ticketing.Common.Auth;

namespace Ticketing.Auth.Endpoints;

/// <summary>Starts and ends a browser session: the signed JWT in the <c>session</c> cookie, which expires with the token.</summary>
public sealed class UserSessions(SessionTokens tokens, SessionCookie cookie, JwtOptions jwt, TimeProvider timeProvider)
{
    public void Start(HttpResponse response, User user)
    {
        var token = tokens.Issue(user.Id, user.Email);
        cookie.Append(response, token, timeProvider.GetUtcNow() + jwt.Lifetime);
    }

    public void End(HttpResponse response) => cookie.Expire(response);
}
