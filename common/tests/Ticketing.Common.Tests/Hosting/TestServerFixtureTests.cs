using System.Net.Sockets;
using System.Text;
using NATS.Client.Core;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Common.Tests.Hosting;

/// <summary>The test servers every service's tests rely on: they start, answer, survive a restart with their data, and go away.</summary>
public sealed class TestServerFixtureTests
{
    [Fact]
    public async Task RedisServer_Answers_AndKeepsItsDataAcrossARestart()
    {
        await using var redis = await RedisServer.StartNewAsync();

        Assert.Equal("+OK", await RespAsync(redis.Port, "SET", "greeting", "hello"));
        await redis.StopAsync();
        Assert.False(redis.IsRunning);
        await redis.StartAsync();

        Assert.Equal("$5\r\nhello", await RespAsync(redis.Port, "GET", "greeting"));
    }

    [Fact]
    public async Task NatsServer_WhenTwoStart_EachAcceptsClientsOnItsOwnPortWithJetStream()
    {
        await using var first = await NatsServer.StartNewAsync();
        await using var second = await NatsServer.StartNewAsync();
        Assert.NotEqual(first.Port, second.Port);

        await using var connection = new NatsConnection(NatsOpts.Default with { Url = first.Url });
        await connection.ConnectAsync();

        // The server that answered is the first one (each is named after its port) and has JetStream on.
        Assert.Equal($"test-{first.Port}", connection.ServerInfo?.Name);
        Assert.True(connection.ServerInfo?.JetStreamAvailable, "nats-server runs without JetStream (-js)");
    }

    [Fact]
    public async Task Disposing_StopsTheServerProcess()
    {
        var nats = await NatsServer.StartNewAsync();
        Assert.True(nats.IsRunning);
        var store = nats.StoreDirectory;

        await nats.DisposeAsync();

        Assert.False(nats.IsRunning);
        Assert.False(Directory.Exists(store));
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", nats.Port));
    }

    /// <summary>One Redis command over the raw protocol; returns the reply's first line(s) without the trailing CRLF.</summary>
    private static async Task<string> RespAsync(int port, params string[] command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var request = new StringBuilder($"*{command.Length}\r\n");
        foreach (var part in command)
        {
            request.Append($"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        var buffer = new byte[256];
        var read = await stream.ReadAsync(buffer);
        return Encoding.UTF8.GetString(buffer, 0, read).TrimEnd('\r', '\n');
    }
}
