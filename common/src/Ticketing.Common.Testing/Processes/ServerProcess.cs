using Xunit;

namespace Ticketing.Common.Testing.Processes;

/// <summary>
/// A real server program (nats-server, redis-server) on a free loopback port with its data in a temp folder that
/// outlives a stop: <see cref="StopAsync"/> then <see cref="StartAsync"/> is an outage the server comes back from on the
/// same port with the same data, as a restarted pod with a volume would.
/// </summary>
public abstract class ServerProcess : IAsyncDisposable
{
    private readonly TempDirectory _data;
    private ChildProcess? _process;

    protected ServerProcess(string dataPrefix)
    {
        _data = new TempDirectory(dataPrefix);
        Port = FreePort.Next();
    }

    public int Port { get; }

    /// <summary>The folder the server keeps its data in (JetStream store, append-only file).</summary>
    public string DataDirectory => _data.Path;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the server printed since its last start.</summary>
    public string Output => _process?.Output ?? string.Empty;

    /// <summary>The program Debian installs (found on PATH or in the sbin folders).</summary>
    protected abstract string Program { get; }

    /// <summary>What the program prints once it accepts connections.</summary>
    protected abstract string ReadyLine { get; }

    protected abstract IEnumerable<string> Arguments();

    /// <summary>Environment variables the program gets besides the test process's own.</summary>
    protected virtual IReadOnlyDictionary<string, string>? Environment() => null;

    /// <summary>Runs once the program accepts connections, on every start.</summary>
    protected virtual Task OnStartedAsync() => Task.CompletedTask;

    public async Task StartAsync()
    {
        var program = ChildProcess.Find(Program)
            ?? throw new InvalidOperationException($"{Program} is not installed: run ./test.sh (it installs it) or `apt-get install {Program}`.");
        _process = await ChildProcess.StartAsync(program, Arguments(), ReadyLine, TimeSpan.FromSeconds(30), Environment());
        await OnStartedAsync();
    }

    /// <summary>Shuts the server down cleanly (SIGTERM, as a pod restart does); it keeps its data.</summary>
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
        GC.SuppressFinalize(this);
    }
}

/// <summary>One server for a test class (xunit class fixture): <c>IClassFixture&lt;ServerFixture&lt;NatsServer&gt;&gt;</c>.</summary>
public class ServerFixture<TServer> : IAsyncLifetime where TServer : ServerProcess, new()
{
    private TServer? _server;

    public TServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync()
    {
        var server = new TServer();
        await server.StartAsync();
        _server = server;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
