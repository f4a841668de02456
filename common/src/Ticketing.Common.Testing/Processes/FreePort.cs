using System.Net;
using System.Net.Sockets;

namespace Ticketing.Common.Testing.Processes;

/// <summary>A TCP port nobody listens on right now (never a shared fixed port, so test runs do not collide).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
