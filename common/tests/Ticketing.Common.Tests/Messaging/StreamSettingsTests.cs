using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Hosting;
using Ticketing.Common.Messaging;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Common.Tests.Messaging;

/// <summary>
/// Services create the streams when missing and never change an existing one: a service with default (or wrong)
/// settings started against an operator's stream leaves its replicas and limits intact.
/// </summary>
public sealed class StreamSettingsTests : IAsyncLifetime
{
    private readonly List<IHost> _hosts = [];
    private NatsServer _nats = null!;
    private NatsConnection _connection = null!;
    private NatsJSContext _js = null!;

    public async Task InitializeAsync()
    {
        _nats = await NatsServer.StartNewAsync();
        _connection = new NatsConnection(NatsOpts.Default with { Url = _nats.Url });
        _js = new NatsJSContext(_connection);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            await ((IAsyncDisposable)host).DisposeAsync();
        }

        await _connection.DisposeAsync();
        await _nats.DisposeAsync();
    }

    private async Task<IHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var host = await MessagingTestHost.StartAsync(_nats.Url, "streams", new HandlerLog(), settings: settings);
        _hosts.Add(host);
        return host;
    }

    private static StreamConfig OperatorStream() => new("TICKETING", [JetStreamTopology.EventSubjects])
    {
        Storage = StreamConfigStorage.File,
        MaxBytes = 5 * 1024 * 1024,
        MaxAge = TimeSpan.FromHours(2),
        MaxMsgs = 10_000,
        DuplicateWindow = TimeSpan.FromMinutes(1),
        Description = "set up by the operator",
    };

    [Fact]
    public async Task Service_StartedAgainstAStreamWithOtherSettings_LeavesTheStreamIntact()
    {
        await _js.CreateStreamAsync(OperatorStream());

        var host = await StartAsync(new() { ["NATS_STREAM_REPLICAS"] = "1" });
        var ticket = MessagingTestHost.NewTicket();
        await host.PublishAsync(ticket); // the service works against the operator's stream
        var consumer = EventConsumer<Ticketing.Common.Events.TicketCreatedV1>.ConsumerName("streams");
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await _js.GetConsumerAsync("TICKETING", consumer)).Info is { NumAckPending: 0, NumPending: 0, Delivered.StreamSeq: > 0 };
            }
            catch (NatsJSApiException)
            {
                return false;
            }
        }, "the service to consume from the operator's stream");

        var config = (await _js.GetStreamAsync("TICKETING")).Info.Config;
        Assert.Equal(5 * 1024 * 1024, config.MaxBytes);
        Assert.Equal(TimeSpan.FromHours(2), config.MaxAge);
        Assert.Equal(10_000, config.MaxMsgs);
        Assert.Equal(TimeSpan.FromMinutes(1), config.DuplicateWindow);
        Assert.Equal("set up by the operator", config.Description);
        Assert.Equal(1, config.NumReplicas);
    }

    [Fact]
    public async Task MissingStream_IsCreatedWithExplicitLimits_FromTheSettings()
    {
        var host = await StartAsync(new()
        {
            ["NATS_STREAM_MAX_BYTES"] = (64L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["NATS_STREAM_MAX_AGE_DAYS"] = "30",
        });
        await host.Services.GetRequiredService<JetStreamTopology>().EnsureAsync(CancellationToken.None);

        var events = (await _js.GetStreamAsync("TICKETING")).Info.Config;
        Assert.Equal(64L * 1024 * 1024, events.MaxBytes);
        Assert.Equal(TimeSpan.FromDays(30), events.MaxAge);
        Assert.Equal(StreamConfigDiscard.New, events.Discard);
        var deadLetters = (await _js.GetStreamAsync("TICKETING_DEADLETTER")).Info.Config;
        Assert.Equal(128L * 1024 * 1024, deadLetters.MaxBytes);
        Assert.Equal(StreamConfigDiscard.New, deadLetters.Discard);
    }

    [Fact]
    public async Task StrictSettings_WhenTheStreamDiffers_StopTheServiceAtStart_AndStillLeaveTheStreamAlone()
    {
        await _js.CreateStreamAsync(OperatorStream());
        var host = await StartAsync(new() { ["NATS_STREAM_STRICT"] = "true" });

        var refused = await Assert.ThrowsAsync<InvalidSettingException>(
            () => host.Services.GetRequiredService<JetStreamTopology>().EnsureAsync(CancellationToken.None));

        Assert.Contains("NATS_STREAM_STRICT", refused.Message, StringComparison.Ordinal);
        Assert.Contains("max bytes", refused.Message, StringComparison.Ordinal);
        await Eventually.TrueAsync(
            () => host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested,
            "the service to stop");
        Assert.Equal(5 * 1024 * 1024, (await _js.GetStreamAsync("TICKETING")).Info.Config.MaxBytes);
    }
}
