using Xunit;

namespace Ticketing.Common.Testing.Processes;

/// <summary>
/// A real <c>nats-server -js</c> on a free loopback port with its JetStream store in a temp folder.
/// <see cref="StopAsync"/> and <see cref="StartAsync()"/> simulate an outage: the server comes back on the
/// same port with the same store, as a restarted pod would.
/// </summary>
public sealed class NatsServer : IAsyncDisposable
{
    private readonly TempDirectory _store = new("ticketing-nats");
    private ChildProcess? _process;

    private NatsServer(int port) => Port = port;

    public int Port { get; }
    public string Url => $"nats://127.0.0.1:{Port}";
    public string StoreDirectory => _store.Path;
    public bool IsRunning => _process is { HasExited: false };

    public static async Task<NatsServer> StartNewAsync()
    {
        var server = new NatsServer(FreePort.Next());
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var program = ChildProcess.Find("nats-server")
            ?? throw new InvalidOperationException("nats-server is not installed: run ./test.sh (it installs it) or `apt-get install nats-server`.");
        _process = await ChildProcess.StartAsync(
            program,
            ["-js", "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", _store.Path, "-n", $"test-{Port}"],
            "Server is ready",
            TimeSpan.FromSeconds(30));
    }

    /// <summary>Shuts the server down cleanly (SIGTERM, as a pod restart does); it keeps its store.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.StopGracefullyAsync(TimeSpan.FromSeconds(10));
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _store.Dispose();
    }
}

/// <summary>One nats-server for a test class (xunit class fixture).</summary>
public sealed class NatsServerFixture : IAsyncLifetime
{
    private NatsServer? _server;

    public NatsServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync() => _server = await NatsServer.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
