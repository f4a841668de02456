using System.Globalization;
using Xunit;

namespace Ticketing.Common.Testing.Processes;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port with its data (append-only file) in a temp folder, so a
/// stop and start keeps the data as a restarted Redis with persistence would.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly TempDirectory _data = new("ticketing-redis");
    private ChildProcess? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }
    public string ConnectionString => $"127.0.0.1:{Port}";
    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RedisServer> StartNewAsync()
    {
        var server = new RedisServer(FreePort.Next());
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var program = ChildProcess.Find("redis-server")
            ?? throw new InvalidOperationException("redis-server is not installed: run ./test.sh (it installs it) or `apt-get install redis-server`.");
        _process = await ChildProcess.StartAsync(
            program,
            [
                "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _data.Path,
                "--appendonly", "yes", "--save", "", "--daemonize", "no", "--protected-mode", "no",
            ],
            "Ready to accept connections",
            TimeSpan.FromSeconds(30));
    }

    /// <summary>Shuts Redis down cleanly (SIGTERM); its append-only file keeps the data.</summary>
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
        _data.Dispose();
    }
}

/// <summary>One redis-server for a test class (xunit class fixture).</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync() => _server = await RedisServer.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
