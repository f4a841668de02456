using System.Globalization;

namespace Ticketing.Common.Testing.Processes;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port with its data (append-only file) in a temp folder, so a
/// stop and start keeps the data as a restarted Redis with persistence would.
/// </summary>
public sealed class RedisServer() : ServerProcess("ticketing-redis")
{
    public string ConnectionString => $"127.0.0.1:{Port}";

    protected override string Program => "redis-server";
    protected override string ReadyLine => "Ready to accept connections";

    protected override IEnumerable<string> Arguments() =>
    [
        "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", DataDirectory,
        "--appendonly", "yes", "--save", "", "--daemonize", "no", "--protected-mode", "no",
    ];

    public static async Task<RedisServer> StartNewAsync()
    {
        var server = new RedisServer();
        await server.StartAsync();
        return server;
    }
}

/// <summary>One redis-server for a test class (xunit class fixture).</summary>
public sealed class RedisServerFixture : ServerFixture<RedisServer>;
