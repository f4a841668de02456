using Microsoft.AspNetCore.Http;
using Ticketing.Common.Http;

namespace Ticketing.Common.Auth;

/// <summary>
/// Refuses cross-site state changes made with the session cookie (403 <c>Cross-site requests are not allowed</c>):
/// a POST, PUT, PATCH or DELETE that carries the <c>session</c> cookie and no bearer token, sent by a browser from
/// another site, i.e. with <c>Sec-Fetch-Site: cross-site</c> or an <c>Origin</c> whose host is not this request's
/// host (<c>Origin: null</c> included). <c>SameSite=Lax</c> already keeps the cookie off most cross-site requests;
/// this covers old browsers, same-site subdomains' forms aside, and sign-out (which needs no session to succeed).
/// Bearer-token calls (no ambient credentials) and server-side callers such as the web client (no <c>Origin</c>, no
/// <c>Sec-Fetch-Site</c>) are unaffected.
/// </summary>
public static class CrossSiteRequests
{
    public const string Message = "Cross-site requests are not allowed";

    public static bool IsRefused(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
        {
            return false;
        }

        if (!request.Cookies.ContainsKey(SessionCookie.Name)
            || request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (string.Equals(request.Headers["Sec-Fetch-Site"].ToString(), "cross-site", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return false;
        }

        // Host names only: behind TLS-terminating proxies the scheme and port the service sees may differ. The public
        // host is the Host header (ingress-nginx keeps it) or the proxy's X-Forwarded-Host (YARP, the local gateway);
        // a page on another site cannot set that header without a CORS preflight, which the APIs never allow.
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return true;   // "null" (sandboxed frames, file:) and garbage
        }

        var forwardedHost = request.Headers["X-Forwarded-Host"].ToString().Split(',')[0].Trim();
        return !SameHost(uri.Host, request.Host.Host) && !(forwardedHost.Length > 0 && SameHost(uri.Host, new HostString(forwardedHost).Host));
    }

    private static bool SameHost(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    public static Task RefuseAsync(HttpContext context) =>
        ApiProblem.WriteAsync(context, StatusCodes.Status403Forbidden, new ApiError(Message));
}
