using Microsoft.Extensions.Configuration;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using Ticketing.Common.Auth;
using Ticketing.Common.Messaging;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Cli.Tests;

/// <summary>
/// <c>ticketing nats provision</c> against a nats-server with the permission file and no streams yet: as admin it
/// creates the streams, every catalogue consumer and the revoked-sessions bucket, and running it again changes
/// nothing; as a service's user it is refused and says so.
/// </summary>
public sealed class ProvisionCommandTests : IAsyncLifetime
{
    private NatsServer _nats = null!;

    // Secured but not provisioned by the harness: the command under test does it.
    public async Task InitializeAsync()
    {
        _nats = new NatsServer(secured: true) { ProvisionOnStart = false };
        await _nats.StartAsync();
    }

    public async Task DisposeAsync() => await _nats.DisposeAsync();

    private async Task<(int Exit, string Output, string Error)> RunAsync(string user, params string[] args)
    {
        var identity = _nats.SettingsFor(user);
        var environment = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NATS_USER"] = identity.User,
            ["NATS_PASSWORD"] = identity.Password,
            ["JWT_LIFETIME_SECONDS"] = "3600",
        }).Build();
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, output, error, _nats.Url, environment);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Provision_AsAdmin_CreatesStreamsConsumersAndBucket_AndAgainChangesNothing()
    {
        var (exit, output, error) = await RunAsync("admin", "nats", "provision");

        Assert.True(exit == 0, error);
        Assert.Contains("stream TICKETING: created", output, StringComparison.Ordinal);
        Assert.Contains("stream TICKETING_DEADLETTER: created", output, StringComparison.Ordinal);
        Assert.Contains($"bucket {SessionRevocationOptions.Bucket}: created", output, StringComparison.Ordinal);
        await using var admin = _nats.Connect("admin");
        var jetStream = new NatsJSContext(admin);
        foreach (var consumer in ConsumerCatalogue.All)
        {
            Assert.Equal(consumer.Subject, (await jetStream.GetConsumerAsync("TICKETING", consumer.Durable)).Info.Config.FilterSubject);
        }

        await new NatsKVContext(jetStream).GetStoreAsync(SessionRevocationOptions.Bucket);
        var bucket = (await jetStream.GetStreamAsync($"KV_{SessionRevocationOptions.Bucket}")).Info.Config;
        Assert.Equal(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1), bucket.MaxAge); // JWT_LIFETIME_SECONDS + 1 minute

        var again = await RunAsync("admin", "nats", "provision");
        Assert.Equal(0, again.Exit);
        Assert.Contains("stream TICKETING: exists", again.Output, StringComparison.Ordinal);
        Assert.Contains($"bucket {SessionRevocationOptions.Bucket}: exists", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provision_AsAService_IsRefused_AndCreatesNothing()
    {
        var (exit, _, error) = await RunAsync("tickets", "nats", "provision");

        Assert.Equal(1, exit);
        Assert.Contains("NATS at", error, StringComparison.Ordinal);
        await using var admin = _nats.Connect("admin");
        await Assert.ThrowsAsync<NatsJSApiException>(async () => await new NatsJSContext(admin).GetStreamAsync("TICKETING"));
    }
}
