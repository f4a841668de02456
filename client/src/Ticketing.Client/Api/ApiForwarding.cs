using Microsoft.Net.Http.Headers;

namespace Ticketing.Client.Api;

/// <summary>
/// Every call the client makes to an API is made on behalf of the person whose request is being rendered. This handler
/// adds exactly two things of theirs: the <c>session</c> cookie (and no other cookie: the antiforgery cookie and
/// anything else the browser holds stay here) and their address in <c>X-Forwarded-For</c>, so the APIs' per-client
/// rate limits count the person, not this client. With <see cref="ApiSettings.Host"/> set (Kubernetes: the ingress
/// controller's in-cluster Service serves the public host's rules), the request carries that <c>Host</c>.
/// </summary>
public sealed class ApiForwardingHandler(IHttpContextAccessor accessor, ApiSettings settings) : DelegatingHandler
{
    public const string SessionCookie = "session";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(HeaderNames.Cookie);
        request.Headers.Remove("X-Forwarded-For");
        if (accessor.HttpContext is { } context)
        {
            var session = context.Request.Cookies[SessionCookie];
            if (!string.IsNullOrEmpty(session) && IsCookieValueSafe(session))
            {
                request.Headers.TryAddWithoutValidation(HeaderNames.Cookie, $"{SessionCookie}={session}");
            }

            if (context.Connection.RemoteIpAddress is { } address)
            {
                var ip = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", ip.ToString());
            }
        }

        if (settings.Host is { } host)
        {
            request.Headers.Host = host;
        }

        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>A cookie value that cannot smuggle another header or cookie (a JWT is base64url and dots).</summary>
    internal static bool IsCookieValueSafe(string value) =>
        value.All(c => c > 0x20 && c < 0x7f && c is not ';' and not ',' and not '"' and not '\\');
}

/// <summary>Where the APIs are: <c>TICKETING_API_URL</c> (the ingress or the local gateway) and the optional <c>TICKETING_API_HOST</c>.</summary>
public sealed record ApiSettings(Uri BaseAddress, string? Host, TimeSpan Timeout);

/// <summary>
/// Passes the API's new <c>session</c> cookie (sign in, sign up) or its expiry (sign out) on to the browser. Only that
/// cookie, and only while the page's response has not started (static rendering has not flushed anything yet when a
/// form handler runs).
/// </summary>
public sealed class BrowserSession(IHttpContextAccessor accessor)
{
    public void PassOn(HttpResponseMessage apiResponse)
    {
        var response = accessor.HttpContext?.Response;
        if (response is null || response.HasStarted || !apiResponse.Headers.TryGetValues(HeaderNames.SetCookie, out var cookies))
        {
            return;
        }

        foreach (var cookie in cookies)
        {
            if (cookie.StartsWith(ApiForwardingHandler.SessionCookie + "=", StringComparison.Ordinal))
            {
                response.Headers.Append(HeaderNames.SetCookie, cookie);
            }
        }

        // The page rendering right now must not show the old state; every later request carries the new cookie.
        response.Headers.CacheControl = "no-store";
    }
}
