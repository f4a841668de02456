using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Messaging;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Cli.Tests;

/// <summary>A handler that cannot handle a ticket until it is "fixed", and counts what it applied.</summary>
public sealed class FixableHandler
{
    public volatile bool Fixed;

    public ConcurrentDictionary<string, int> Applied { get; } = new();

    public sealed class Handler(FixableHandler state) : IEventHandler<TicketCreatedV1>
    {
        public Task<HandlerOutcome> HandleAsync(TicketCreatedV1 @event, EventContext context, CancellationToken cancellationToken)
        {
            if (!state.Fixed)
            {
                throw new InvalidOperationException("poison: cannot handle this ticket (a bug)");
            }

            state.Applied.AddOrUpdate(@event.Id, 1, (_, n) => n + 1);
            return Task.FromResult(HandlerOutcome.Ack);
        }
    }
}

/// <summary>
/// The operator's way back for dead letters, against a real nats-server: a poison message is parked, the CLI lists it
/// (subject, consumer, reason, deliveries, age) and replays it with its original message id; after the fix the replay
/// is applied once.
/// </summary>
public sealed class DeadLetterCommandTests : IAsyncLifetime
{
    private const string Service = "clitest";
    private readonly FixableHandler _state = new();
    private NatsServer _nats = null!;
    private IHost _host = null!;
    private NATS.Client.Core.NatsConnection _admin = null!;
    private DeadLetters _letters = null!;

    public async Task InitializeAsync()
    {
        _nats = await NatsServer.StartNewAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NATS_URL"] = _nats.Url,
            ["NATS_PROVISION"] = "true", // a made-up service on an open nats-server
            ["NATS_MAX_DELIVER"] = "2",
            ["NATS_RETRY_DELAY_MS"] = "50",
        });
        builder.AddMessaging(Service);
        builder.Services.AddSingleton(_state);
        builder.Services.AddEventHandler<TicketCreatedV1, FixableHandler.Handler>();
        _host = builder.Build();
        await _host.StartAsync();
        _admin = new NATS.Client.Core.NatsConnection(new() { Url = _nats.Url });
        _letters = new DeadLetters(new NATS.Client.JetStream.NatsJSContext(_admin));
    }

    public async Task DisposeAsync()
    {
        await _admin.DisposeAsync();
        await _host.StopAsync();
        _host.Dispose();
        await _nats.DisposeAsync();
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CliApp.RunAsync([.. args, "--nats", _nats.Url], output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private async Task<TicketCreatedV1> ParkOneAsync(StreamProbe probe)
    {
        var ticket = new TicketCreatedV1(DocumentIds.New(), 0, "Poison", 10m, DocumentIds.New());
        await _host.Services.GetRequiredService<IEventPublisher>().PublishAsync(ticket, TimeProvider.System);
        await Eventually.TrueAsync(
            async () => (await probe.ParkedAsync(TicketCreatedV1.Subject)).Any(p => p.Header(MessageHeaders.OriginalMessageId) == ticket.MessageId),
            "the poison ticket to be parked");
        return ticket;
    }

    [Fact]
    public async Task List_ShowsTheParkedMessage_WithSubjectConsumerReasonAndDeliveries()
    {
        await using var probe = await StreamProbe.StartAsync(_host.Services);
        var ticket = await ParkOneAsync(probe);

        var (exit, output, _) = await RunAsync("deadletters", "list");

        Assert.Equal(0, exit);
        var line = Assert.Single(output.Split('\n'), l => l.Contains(ticket.MessageId, StringComparison.Ordinal));
        var columns = line.TrimEnd('\r').Split('\t');
        Assert.Equal(TicketCreatedV1.Subject, columns[2]);
        Assert.Equal(EventConsumer<TicketCreatedV1>.ConsumerName(Service), columns[3]);
        Assert.Equal("2", columns[4]);
        Assert.Contains("poison", columns[6], StringComparison.Ordinal);
        Assert.Matches("^[0-9]+s$", columns[1]);
        Assert.Contains("1 parked message(s).", output, StringComparison.Ordinal);

        var (_, otherService, _) = await RunAsync("deadletters", "list", "--service", "nobody");
        Assert.Contains("No parked messages.", otherService, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_AfterTheFix_IsAppliedOnce_AndRemovesTheDeadLetter()
    {
        await using var probe = await StreamProbe.StartAsync(_host.Services);
        var ticket = await ParkOneAsync(probe);
        var sequence = (await _letters.ListAsync()).Single().Sequence;

        var dry = await RunAsync("deadletters", "replay", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dry-run");
        Assert.Equal(0, dry.Exit);
        Assert.Contains($"would publish", dry.Output, StringComparison.Ordinal);
        Assert.Contains(ticket.MessageId, dry.Output, StringComparison.Ordinal);

        _state.Fixed = true;
        // Within the duplicate window the stream still remembers the original id: said plainly, nothing lost.
        var duplicate = await RunAsync("deadletters", "replay", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, duplicate.Exit);
        Assert.Contains("duplicate window", duplicate.Error, StringComparison.Ordinal);
        Assert.Contains(ticket.MessageId, (await RunAsync("deadletters", "list")).Output, StringComparison.Ordinal);

        var replay = await RunAsync("deadletters", "replay", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "--new-id");
        Assert.Equal(0, replay.Exit);

        await Eventually.TrueAsync(() => _state.Applied.GetValueOrDefault(ticket.Id) == 1, "the replayed ticket to be applied");
        await probe.WaitUntilHandledAsync<TicketCreatedV1>();
        Assert.Equal(1, _state.Applied[ticket.Id]);
        Assert.Contains("No parked messages.", (await RunAsync("deadletters", "list")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_UnderTheOriginalId_OnceTheDuplicateWindowHasPassed_IsAppliedOnce()
    {
        await using var probe = await StreamProbe.StartAsync(_host.Services);
        var ticket = await ParkOneAsync(probe);
        var letters = _letters;
        var sequence = (await letters.ListAsync()).Single().Sequence;
        _state.Fixed = true;

        // Shorten the event stream's duplicate window as an operator could; the stream then forgets the id.
        var js = new NATS.Client.JetStream.NatsJSContext(_admin);
        var config = (await js.GetStreamAsync("TICKETING")).Info.Config;
        config.DuplicateWindow = TimeSpan.FromMilliseconds(200);
        await js.UpdateStreamAsync(config);

        ReplayResult? result = null;
        await Eventually.TrueAsync(async () => (result = await letters.ReplayAsync(sequence, dryRun: false, newId: false, keep: false)).Succeeded,
            "the stream to forget the original id");

        Assert.Contains($"as {ticket.MessageId} ", result!.Message, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => _state.Applied.GetValueOrDefault(ticket.Id) == 1, "the replayed ticket to be applied");
        await probe.WaitUntilHandledAsync<TicketCreatedV1>();
        Assert.Equal(1, _state.Applied[ticket.Id]);
    }

    [Fact]
    public async Task UnknownCommand_PrintsUsage_AndExits2()
    {
        var (exit, _, error) = await RunAsync("deadletters", "purge");
        Assert.Equal(2, exit);
        Assert.Contains("usage:", error, StringComparison.Ordinal);
    }
}
