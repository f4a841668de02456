using System.Net;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.HttpOverrides;

namespace Ticketing.Expiration.Extensions;

/// <summary>
/// Who may see the dashboard: requests from this machine only (a browser on the developer's machine, or
/// <c>kubectl port-forward</c>), never anything that came through a proxy. The service trusts X-Forwarded-For for the
/// client address, so a forwarded request is refused outright rather than judged by an address it may have chosen.
/// </summary>
public sealed class LocalDashboardAuthorization : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (http.Request.Headers.ContainsKey(ForwardedHeadersDefaults.XForwardedForHeaderName)
            || http.Request.Headers.ContainsKey(ForwardedHeadersDefaults.XOriginalForHeaderName)
            || http.Request.Headers.ContainsKey("Forwarded"))
        {
            return false;
        }

        var remote = http.Connection.RemoteIpAddress;
        return remote is not null && (IPAddress.IsLoopback(remote) || remote.Equals(http.Connection.LocalIpAddress));
    }
}
