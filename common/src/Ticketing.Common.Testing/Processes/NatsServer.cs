using System.Globalization;

namespace Ticketing.Common.Testing.Processes;

/// <summary>
/// A real <c>nats-server -js</c> on a free loopback port with its JetStream store in a temp folder.
/// <see cref="ServerProcess.StopAsync"/> and <see cref="ServerProcess.StartAsync"/> simulate an outage: the server
/// comes back on the same port with the same store, as a restarted pod would.
/// </summary>
public sealed class NatsServer() : ServerProcess("ticketing-nats")
{
    public string Url => $"nats://127.0.0.1:{Port}";
    public string StoreDirectory => DataDirectory;

    protected override string Program => "nats-server";
    protected override string ReadyLine => "Server is ready";

    protected override IEnumerable<string> Arguments() =>
        ["-js", "-a", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-sd", DataDirectory, "-n", $"test-{Port}"];

    public static async Task<NatsServer> StartNewAsync()
    {
        var server = new NatsServer();
        await server.StartAsync();
        return server;
    }
}

/// <summary>One nats-server for a test class (xunit class fixture).</summary>
public sealed class NatsServerFixture : ServerFixture<NatsServer>;
