using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Ticketing.Common.Testing.Web;

/// <summary>
/// Gives every request of the in-memory test server (which has no connection, so no remote address) the address of a
/// peer, before the service's pipeline runs: by default loopback, i.e. the trusted local proxy, so
/// <c>X-Forwarded-For</c> is believed as behind the gateway; a test sets another address to be an untrusted caller.
/// </summary>
internal sealed class TestPeerStartupFilter(Func<IPAddress> address) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress ??= address();
            return nextMiddleware(context);
        });
        next(app);
    };
}
