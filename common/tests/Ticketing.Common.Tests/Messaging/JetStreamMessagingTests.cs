using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Outbox;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Messaging;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Common.Tests.Messaging;

/// <summary>
/// Publishing and consuming against a real nats-server with JetStream. Each test gets its own server (it
/// starts in milliseconds), so a consumer that reads the stream from the beginning sees only its own test's
/// messages.
/// </summary>
public sealed class JetStreamMessagingTests : IAsyncLifetime
{
    private readonly List<IHost> _hosts = [];
    private readonly string _service = "tests";
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
    }

    private async Task<IHost> StartAsync(HandlerLog? log = null, string instance = "a")
    {
        var host = await MessagingTestHost.StartAsync(_nats.Url, _service, log, instance);
        _hosts.Add(host);
        return host;
    }

    private string ConsumerName => EventConsumer<TicketCreatedV1>.ConsumerName(_service);

    [Fact]
    public async Task Publish_IsConsumedByTheDurableConsumer_AndAcknowledged()
    {
        var log = new HandlerLog();
        var host = await StartAsync(log);
        var ticket = MessagingTestHost.NewTicket();

        await host.PublishAsync(ticket);

        await Eventually.TrueAsync(() => log.CountFor(ticket.Id) == 1, "the ticket to be handled");
        var delivery = log.Deliveries.Single(d => d.Event.Id == ticket.Id);
        Assert.Equal(ticket, delivery.Event);
        Assert.Equal(ticket.MessageId, delivery.Context.MessageId);
        Assert.Equal(1, delivery.Context.Deliveries);

        var js = host.Services.GetRequiredService<INatsJSContext>();
        await Eventually.TrueAsync(async () =>
        {
            var consumer = await js.GetConsumerAsync("TICKETING", ConsumerName);
            return consumer.Info is { NumAckPending: 0, NumPending: 0 };
        }, "the message to be acknowledged");
        var info = (await js.GetConsumerAsync("TICKETING", ConsumerName)).Info;
        Assert.Equal(ConsumerConfigAckPolicy.Explicit, info.Config.AckPolicy);
        Assert.Equal(ConsumerName, info.Config.DurableName);
        Assert.Equal(TicketCreatedV1.Subject, info.Config.FilterSubject);
    }

    [Fact]
    public async Task RetryOutcome_RedeliversTheMessageLater()
    {
        var log = new HandlerLog
        {
            Behaviour = (_, context) => context.Deliveries == 1
                ? HandlerOutcome.Retry("not yet", TimeSpan.FromMilliseconds(100))
                : HandlerOutcome.Ack,
        };
        var host = await StartAsync(log);
        var ticket = MessagingTestHost.NewTicket();

        await host.PublishAsync(ticket);

        await Eventually.TrueAsync(() => log.CountFor(ticket.Id) == 2, "a second delivery after the retry");
        var deliveries = log.Deliveries.Where(d => d.Event.Id == ticket.Id).ToList();
        Assert.Equal([1, 2], deliveries.Select(d => d.Context.Deliveries));
        Assert.Equal(deliveries[0].Context.StreamSequence, deliveries[1].Context.StreamSequence);
    }

    [Fact]
    public async Task DuplicatePublish_IsDroppedByTheStream()
    {
        var log = new HandlerLog();
        var host = await StartAsync(log);
        var ticket = MessagingTestHost.NewTicket();
        var sentinel = MessagingTestHost.NewTicket();

        await host.PublishAsync(ticket);
        await host.PublishAsync(ticket); // same Nats-Msg-Id: acknowledged as a duplicate, not stored
        await host.PublishAsync(sentinel);

        // The consumer delivers in stream order, so once the sentinel is in, anything before it was too.
        await Eventually.TrueAsync(() => log.CountFor(sentinel.Id) == 1, "the sentinel to be handled");
        Assert.Equal(1, log.CountFor(ticket.Id));
    }

    [Fact]
    public async Task PoisonMessage_IsParkedAfterTheBoundedDeliveries_NotRedeliveredForever()
    {
        var poison = MessagingTestHost.NewTicket("poison");
        var log = new HandlerLog
        {
            Behaviour = (ticket, _) => ticket.Id == poison.Id
                ? throw new InvalidOperationException("this message can never be handled")
                : HandlerOutcome.Ack,
        };
        var host = await StartAsync(log);
        var js = host.Services.GetRequiredService<INatsJSContext>();
        await using var probe = await StreamProbe.StartAsync(host.Services);

        await host.PublishAsync(poison);

        var parked = await probe.WaitForParkedAsync(TicketCreatedV1.Subject, TimeSpan.FromSeconds(30));
        Assert.Equal(3, log.CountFor(poison.Id)); // NATS_MAX_DELIVER=3 in the test host
        Assert.Equal(poison, EventJson.Deserialize<TicketCreatedV1>(parked.Data));
        Assert.Contains("gave up after 3 deliveries", parked.Headers![MessageHeaders.ParkedReason].ToString(), StringComparison.Ordinal);
        Assert.Equal(ConsumerName, parked.Headers[MessageHeaders.ParkedBy].ToString());

        // Later messages still flow, and the poison one never comes back.
        var sentinel = MessagingTestHost.NewTicket();
        await host.PublishAsync(sentinel);
        await Eventually.TrueAsync(() => log.CountFor(sentinel.Id) == 1, "the sentinel to be handled");
        await Eventually.TrueAsync(async () => (await js.GetConsumerAsync("TICKETING", ConsumerName)).Info.NumAckPending == 0, "nothing left pending");
        Assert.Equal(3, log.CountFor(poison.Id));
    }

    [Fact]
    public async Task ParkOutcome_DeadLettersAtOnce()
    {
        var log = new HandlerLog { Behaviour = (_, _) => HandlerOutcome.Park("contract violation") };
        var host = await StartAsync(log);
        var ticket = MessagingTestHost.NewTicket();
        await using var probe = await StreamProbe.StartAsync(host.Services);

        await host.PublishAsync(ticket);

        var parked = await probe.WaitForParkedAsync(TicketCreatedV1.Subject, TimeSpan.FromSeconds(30));
        Assert.Equal("contract violation", parked.Headers![MessageHeaders.ParkedReason].ToString());
        Assert.Equal(1, log.CountFor(ticket.Id));
    }

    [Fact]
    public async Task UndecodableMessage_IsParkedWithoutReachingTheHandler()
    {
        var log = new HandlerLog();
        var host = await StartAsync(log);
        var js = host.Services.GetRequiredService<INatsJSContext>();
        await using var probe = await StreamProbe.StartAsync(host.Services); // also makes sure the streams exist

        var ack = await js.PublishAsync(TicketCreatedV1.Subject, Encoding.UTF8.GetBytes("{\"id\": 42, not json"), NatsRawSerializer<byte[]>.Default);
        ack.EnsureSuccess();

        var parked = await probe.WaitForParkedAsync(TicketCreatedV1.Subject, TimeSpan.FromSeconds(30));
        Assert.StartsWith("undecodable TicketCreatedV1", parked.Headers![MessageHeaders.ParkedReason].ToString(), StringComparison.Ordinal);
        Assert.Equal("1", parked.Headers[MessageHeaders.Deliveries].ToString());
        Assert.Empty(log.Deliveries);
    }

    [Fact]
    public async Task SharedDurableConsumer_WhenTwoInstancesPull_SplitsTheWorkWithoutDuplicates()
    {
        // Neither instance finishes a message until both have one in hand: the first to get a batch holds it while
        // the server hands the rest to the other instance's waiting pull. If the consumer were not shared (or one
        // instance never got a message) the wait ends without the other instance and the assertions below fail.
        var log = new HandlerLog();
        log.Behaviour = (_, _) =>
        {
            SpinWait.SpinUntil(
                () => log.Deliveries.Any(d => d.Instance == "a") && log.Deliveries.Any(d => d.Instance == "b"),
                TimeSpan.FromSeconds(10));
            return HandlerOutcome.Ack;
        };
        var first = await StartAsync(log, "a");
        await StartAsync(log, "b");
        var js = first.Services.GetRequiredService<INatsJSContext>();
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await js.GetConsumerAsync("TICKETING", ConsumerName)).Info.NumWaiting >= 2;
            }
            catch (NatsJSApiException)
            {
                return false; // not created yet
            }
        }, "both instances to be pulling from the shared consumer");
        var tickets = Enumerable.Range(0, 200).Select(i => MessagingTestHost.NewTicket($"t{i}")).ToList();

        await Task.WhenAll(tickets.Select(first.PublishAsync));

        await Eventually.TrueAsync(() => log.Deliveries.Count >= 200, "all 200 to be handled");
        var deliveries = log.Deliveries.ToList();
        Assert.Equal(200, deliveries.Count);
        Assert.Equal(tickets.Select(t => t.Id).Order(), deliveries.Select(d => d.Event.Id).Order());
        Assert.All(new[] { "a", "b" }, instance => Assert.Contains(deliveries, d => d.Instance == instance));
    }

    [Fact]
    public async Task Consumer_KeepsConsumingAfterTheNatsServerRestarts()
    {
        var server = _nats;
        var log = new HandlerLog();
        var host = await StartAsync(log);
        var before = MessagingTestHost.NewTicket("before");
        await host.PublishAsync(before);
        await Eventually.TrueAsync(() => log.CountFor(before.Id) == 1, "the first ticket to be handled");

        await server.StopAsync();
        await server.StartAsync();

        var after = MessagingTestHost.NewTicket("after");
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await host.PublishAsync(after);
                return true;
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
            {
                return false; // still reconnecting
            }
        }, "a publish to succeed after the restart", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => log.CountFor(after.Id) == 1, "the ticket published after the restart to be handled", TimeSpan.FromSeconds(60));
        Assert.Equal(1, log.CountFor(before.Id));
    }

    [Fact]
    public async Task TraceContext_TravelsFromThePublishingRequestToTheHandler()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is MessagingTelemetry.SourceName or "test-request",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var requestSource = new ActivitySource("test-request");
        var log = new HandlerLog();
        var host = await StartAsync(log);
        var ticket = MessagingTestHost.NewTicket();

        OutboxMessage stored;
        string requestTraceId;
        using (var request = requestSource.StartActivity("POST /api/tickets", ActivityKind.Server)!)
        {
            requestTraceId = request.TraceId.ToString();
            stored = OutboxMessage.Create(ticket, DateTimeOffset.UtcNow);
        }

        // Published later, outside the request (as the relay would): the stored context still joins the trace.
        await host.Services.GetRequiredService<IEventPublisher>().PublishAsync(stored);

        await Eventually.TrueAsync(() => log.CountFor(ticket.Id) == 1, "the ticket to be handled");
        Assert.StartsWith($"00-{requestTraceId}-", stored.TraceParent, StringComparison.Ordinal);
        Assert.Equal(requestTraceId, log.Deliveries.Single(d => d.Event.Id == ticket.Id).TraceId);
    }
}
