using System.Net;
using System.Net.Sockets;

namespace Ticketing.Common.Testing.Processes;

/// <summary>
/// A TCP port nobody listens on right now (never a shared fixed port, so test runs do not collide).
/// <para>
/// Chosen below Linux's ephemeral range (32768-60999), where the kernel never puts the local end of an outgoing
/// connection: a port asked of the kernel (bind to 0) comes from that range, and between the moment it is released here
/// and the moment a server binds it, any outgoing connection on the machine may take it (it happened under load: the
/// e2e platform's gateway could not bind its port). Ports handed out by this process are not handed out again, and each
/// one is checked free on loopback and on every address.
/// </para>
/// </summary>
public static class FreePort
{
    private const int First = 20_000;
    private const int Last = 32_767;

    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1_000; attempt++)
            {
                var port = Random.Shared.Next(First, Last + 1);
                if (!HandedOut.Contains(port) && IsFree(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"No free TCP port found between {First} and {Last}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var loopback = new TcpListener(IPAddress.Loopback, port);
            loopback.Start();
            loopback.Stop();
            using var any = new TcpListener(IPAddress.Any, port);
            any.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
