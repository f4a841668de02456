using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Messaging;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Testing.Storage;

namespace Ticketing.Common.Tests.Messaging;

/// <summary>What <see cref="ApplyingHandler"/> stored for one event, and on which delivery.</summary>
public sealed record AppliedTicket : IDocument
{
    public required string Id { get; init; }
    public int Deliveries { get; init; }
}

/// <summary>A handler that writes each event to the service's database, idempotently, as real handlers do.</summary>
public sealed class ApplyingHandler(IDocumentCollection<AppliedTicket> applied) : IEventHandler<TicketCreatedV1>
{
    public async Task<HandlerOutcome> HandleAsync(TicketCreatedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        await applied.InsertAsync(new AppliedTicket { Id = @event.Id, Deliveries = context.Deliveries }, cancellationToken);
        return HandlerOutcome.Ack; // Ok or Duplicate: applied either way
    }
}

/// <summary>
/// Infrastructure failures are not the message's fault: a database outage pauses the consumer and parks nothing,
/// a message that outlives the outage limit is parked, and a message whose deliveries ended with no outcome
/// (a crashed process) still ends in the dead-letter stream. Short timings here; real ones by default.
/// </summary>
public sealed class OutageTests : IAsyncLifetime
{
    private const string Service = "outage";
    private readonly TempDirectory _data = new();
    private readonly StoreFault _fault = new();
    private readonly List<IHost> _hosts = [];
    private NatsServer _nats = null!;

    public async Task InitializeAsync() => _nats = await NatsServer.StartNewAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            await ((IAsyncDisposable)host).DisposeAsync();
        }

        await _nats.DisposeAsync();
        _data.Dispose();
    }

    private async Task<IHost> StartAsync(Dictionary<string, string?>? extra = null, HandlerLog? log = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DATA_DIR"] = _data.Path,
            ["NATS_ACK_WAIT_MS"] = "1000",
            ["NATS_MAX_DELIVER"] = "3",
            ["NATS_RETRY_DELAY_MS"] = "50",
            ["NATS_MAX_RETRY_DELAY_MS"] = "200",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var host = await MessagingTestHost.StartAsync(_nats.Url, Service, log, settings: settings, configure: builder =>
        {
            if (log is null)
            {
                builder.AddDocumentStorage(Service);
                builder.Services.AddDocumentCollection<AppliedTicket>("applied");
                builder.Services.AddStoreFault<AppliedTicket>(_fault);
                builder.Services.AddEventHandler<TicketCreatedV1, ApplyingHandler>();
            }
        });
        _hosts.Add(host);
        return host;
    }

    [Fact]
    public async Task StoreOutage_LongerThanAckWaitAndMaxDeliver_ParksNothing_AndEveryEventIsAppliedAfterRecovery()
    {
        var host = await StartAsync();
        await using var probe = await StreamProbe.StartAsync(host.Services);
        var tickets = Enumerable.Range(0, 40).Select(i => MessagingTestHost.NewTicket($"t{i}")).ToList();

        _fault.On();
        await Task.WhenAll(tickets.Select(host.PublishAsync));
        await Eventually.TrueAsync(() => _fault.Failures >= 5, "the handler to meet the outage");
        // The outage itself is the scenario: it lasts well past AckWait (1 s) and past MaxDeliver (3) attempts.
        await Task.Delay(TimeSpan.FromSeconds(4));
        _fault.Off();

        var applied = host.Services.GetRequiredService<IDocumentCollection<AppliedTicket>>();
        await Eventually.TrueAsync(
            async () => (await applied.FindAsync(a => a.Deliveries > 0)).Count == tickets.Count,
            "every event to be applied after the store recovers",
            TimeSpan.FromSeconds(30));
        await probe.WaitUntilHandledAsync<TicketCreatedV1>();
        Assert.Empty(await probe.ParkedAsync());
        // Held and kept alive, never redelivered by the server for want of an ack.
        Assert.All(await applied.FindAsync(a => a.Deliveries > 0), a => Assert.Equal(1, a.Deliveries));
        Assert.True(_fault.Failures >= 5);
    }

    [Fact]
    public async Task StoreOutage_OutlastingTheParkAge_ParksTheMessage()
    {
        var host = await StartAsync(new() { ["NATS_OUTAGE_PARK_AFTER_S"] = "1" });
        await using var probe = await StreamProbe.StartAsync(host.Services);
        var ticket = MessagingTestHost.NewTicket();

        _fault.On();
        await host.PublishAsync(ticket);

        var parked = await probe.WaitForParkedAsync(TicketCreatedV1.Subject, TimeSpan.FromSeconds(30));
        Assert.StartsWith("a dependency stayed unavailable", parked.Header(MessageHeaders.ParkedReason), StringComparison.Ordinal);
        Assert.Equal(ticket, EventJson.Deserialize<TicketCreatedV1>(parked.Data));
    }

    [Fact]
    public async Task Message_WhoseDeliveriesEndedWithoutAnOutcome_IsParkedOnReceipt_WithoutReachingTheHandler()
    {
        // MaxDeliver 3 + 2 spare: the 5th delivery is parked on receipt.
        var settings = new Dictionary<string, string?> { ["NATS_SPARE_DELIVERIES"] = "2" };
        var name = EventConsumer<TicketCreatedV1>.ConsumerName(Service);
        var ticket = MessagingTestHost.NewTicket("crashes the process");

        // An instance that takes the message and dies before any outcome, four times over (a crash loop).
        await using (var connection = new NatsConnection(NatsOpts.Default with { Url = _nats.Url }))
        {
            var js = new NatsJSContext(connection);
            await js.CreateStreamAsync(new StreamConfig("TICKETING", [JetStreamTopology.EventSubjects]));
            (await js.PublishAsync(TicketCreatedV1.Subject, EventJson.Serialize(ticket), NatsRawSerializer<byte[]>.Default)).EnsureSuccess();
            var consumer = await js.CreateOrUpdateConsumerAsync("TICKETING", new ConsumerConfig(name)
            {
                FilterSubject = TicketCreatedV1.Subject,
                AckPolicy = ConsumerConfigAckPolicy.Explicit,
                AckWait = TimeSpan.FromMilliseconds(300),
            });
            for (var delivery = 1; delivery <= 4; delivery++)
            {
                var message = await Eventually.ValueAsync(
                    async () => await consumer.NextAsync(NatsRawSerializer<byte[]>.Default, new NatsJSNextOpts { Expires = TimeSpan.FromSeconds(2) }) is { } m ? new Box(m.Metadata?.NumDelivered ?? 0) : null,
                    $"delivery {delivery}");
                Assert.Equal((ulong)delivery, message.Deliveries);
            }
        }

        var log = new HandlerLog();
        var host = await StartAsync(settings, log);
        await using var probe = await StreamProbe.StartAsync(host.Services);

        var parked = await probe.WaitForParkedAsync(TicketCreatedV1.Subject, TimeSpan.FromSeconds(30));
        Assert.StartsWith("delivered 5 times without an outcome", parked.Header(MessageHeaders.ParkedReason), StringComparison.Ordinal);
        Assert.Equal(ticket, EventJson.Deserialize<TicketCreatedV1>(parked.Data));
        Assert.Equal(0, log.CountFor(ticket.Id));
    }

    private sealed record Box(ulong Deliveries);
}
