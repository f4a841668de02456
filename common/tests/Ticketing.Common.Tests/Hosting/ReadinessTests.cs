using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Ticketing.Common.Events;
using Ticketing.Common.Hosting;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Tests.Messaging;
using Ticketing.Common.Tests.Outbox;

namespace Ticketing.Common.Tests.Hosting;

/// <summary>
/// Readiness tells the truth (database set-up done, stream present, outbox not backed up) without exception text;
/// liveness answers while start-up waits; a consumer that finds the stream gone recreates it.
/// </summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly List<WebApplication> _apps = [];
    private NatsServer? _nats;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        if (_nats is not null)
        {
            await _nats.DisposeAsync();
        }

        _data.Dispose();
    }

    private async Task<(WebApplication App, HttpClient Client)> StartAsync(Action<WebApplicationBuilder> configure, Dictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["JWT_KEY"] = Testing.Web.TestUsers.NewJwtKey(),
            ["DATA_DIR"] = _data.Path,
            ["NATS_RETRY_DELAY_MS"] = "50",
            ["NATS_PROVISION"] = "true", // a made-up service on an open nats-server
            ["OUTBOX_SWEEP_INTERVAL_MS"] = "100",
            ["OUTBOX_GRACE_MS"] = "0",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddServiceDefaults("ready");
        configure(builder);
        var app = builder.Build();
        app.UseServiceDefaults();
        _apps.Add(app);
        var started = app.StartAsync();
        Assert.Same(started, await Task.WhenAny(started, Task.Delay(TimeSpan.FromSeconds(10))));
        await started;
        return (app, app.GetTestClient());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, string Raw)> ReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync(ServiceDefaults.ReadyPath);
        var raw = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(raw).RootElement.Clone(), raw);
    }

    private static string CheckStatus(JsonElement body, string check) =>
        body.GetProperty("checks").GetProperty(check).GetProperty("status").GetString()!;

    [Fact]
    public async Task Liveness_AnswersWhileDatabaseSetUpWaits_ReadinessIsRedUntilItIsDone()
    {
        var databaseDown = true;
        var (app, client) = await StartAsync(builder =>
        {
            builder.AddDocumentStorage("ready");
            builder.Services.AddDocumentCollection<AppliedTicket>("applied", (collection, ct) => databaseDown
                ? throw new TimeoutException("A timeout occurred after 30000ms selecting a server: mongodb://admin:secret@mongo") { Source = "MongoDB.Driver" }
                : collection.EnsureIndexAsync("deliveries", a => a.Deliveries, unique: false, ct));
        });

        // The host started although the set-up keeps failing: liveness answers, readiness is red without internals.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ServiceDefaults.LivePath)).StatusCode);
        var (status, body, raw) = await ReadyAsync(client);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", CheckStatus(body, "storage"));
        Assert.DoesNotContain("secret", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("timeout occurred", raw, StringComparison.Ordinal);
        // Nothing is written before the indexes exist.
        var applied = app.Services.GetRequiredService<IDocumentCollection<AppliedTicket>>();
        await Assert.ThrowsAsync<DependencyUnavailableException>(() => applied.InsertAsync(new AppliedTicket { Id = "early" }));

        databaseDown = false;

        await Eventually.TrueAsync(async () => (await ReadyAsync(client)).Status == HttpStatusCode.OK, "readiness once the set-up is done");
        Assert.Equal(WriteResult.Ok, await applied.InsertAsync(new AppliedTicket { Id = "after" }));
    }

    [Fact]
    public async Task Readiness_WhenTheStreamIsMissing_IsRed_AndGreenOnceItExistsAgain()
    {
        _nats = await NatsServer.StartNewAsync();
        var (app, client) = await StartAsync(builder => builder.AddMessaging("ready"), new() { ["NATS_URL"] = _nats.Url });
        await Eventually.TrueAsync(async () => (await ReadyAsync(client)).Status == HttpStatusCode.OK, "readiness with the stream present");
        await using var admin = new NatsConnection(NatsOpts.Default with { Url = _nats.Url });
        var js = new NatsJSContext(admin);

        await js.DeleteStreamAsync("TICKETING");

        var (status, body, _) = await ReadyAsync(client);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("stream TICKETING is missing", body.GetProperty("checks").GetProperty("nats").GetProperty("description").GetString());

        // The next publish finds no stream and sets it up again.
        await app.Services.GetRequiredService<IEventPublisher>().PublishAsync(MessagingTestHost.NewTicket(), TimeProvider.System);
        await Eventually.TrueAsync(async () => (await ReadyAsync(client)).Status == HttpStatusCode.OK, "readiness once the stream is back");
    }

    /// <summary>Records the orders it is handed.</summary>
    public sealed class OrderCreatedRecorder(System.Collections.Concurrent.ConcurrentQueue<string> seen) : IEventHandler<OrderCreatedV1>
    {
        public Task<HandlerOutcome> HandleAsync(OrderCreatedV1 @event, EventContext context, CancellationToken cancellationToken)
        {
            seen.Enqueue(@event.Id);
            return Task.FromResult(HandlerOutcome.Ack);
        }
    }

    [Fact]
    public async Task Readiness_WhenNatsIsNotProvisioned_IsRedNamingTheStep_AndTheConsumerStartsOnceItRan()
    {
        // The permission file on, nothing provisioned yet: tickets may look its stream and consumer up, not create them.
        _nats = new NatsServer(secured: true) { ProvisionOnStart = false };
        await _nats.StartAsync();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var tickets = _nats.SettingsFor("tickets");
        var (_, client) = await StartAsync(builder =>
        {
            builder.AddMessaging("tickets");
            builder.Services.AddSingleton(seen);
            builder.Services.AddEventHandler<OrderCreatedV1, OrderCreatedRecorder>();
        }, new() { ["NATS_URL"] = _nats.Url, ["NATS_USER"] = "tickets", ["NATS_PASSWORD"] = tickets.Password, ["NATS_PROVISION"] = "false" });

        // Red from the start; once connected (it may still be connecting at the first probe), red naming the step.
        string? description = null;
        await Eventually.TrueAsync(async () =>
        {
            var (status, body, _) = await ReadyAsync(client);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            description = body.GetProperty("checks").GetProperty("nats").GetProperty("description").GetString();
            return description?.Contains("run the provisioning step", StringComparison.Ordinal) == true;
        }, "readiness to name the provisioning step once connected", TimeSpan.FromSeconds(30));
        Assert.Contains("run the provisioning step", description, StringComparison.Ordinal);

        await _nats.ProvisionAsync();

        await Eventually.TrueAsync(async () => (await ReadyAsync(client)).Status == HttpStatusCode.OK, "readiness once provisioned", TimeSpan.FromSeconds(60));
        await using var admin = _nats.Connect("admin");
        var order = new OrderCreatedV1(DocumentIds.New(), 0, OrderStatus.Created, "u1", DateTimeOffset.UtcNow.AddMinutes(15), new OrderTicketV1(DocumentIds.New(), 10m));
        (await new NatsJSContext(admin).PublishAsync(OrderCreatedV1.Subject, EventJson.Serialize(order), NatsRawSerializer<byte[]>.Default)).EnsureSuccess();
        await Eventually.TrueAsync(() => seen.Contains(order.Id), "the consumer to handle an order after provisioning", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Consumer_WhenTheStreamIsDeleted_RecreatesItAndKeepsConsuming()
    {
        _nats = await NatsServer.StartNewAsync();
        var log = new HandlerLog();
        var (app, _) = await StartAsync(builder =>
        {
            builder.AddMessaging("ready");
            builder.Services.AddSingleton(log);
            builder.Services.AddKeyedSingleton("instance", "a");
            builder.Services.AddEventHandler<TicketCreatedV1, RecordingHandler>();
        }, new() { ["NATS_URL"] = _nats.Url });
        var publisher = app.Services.GetRequiredService<IEventPublisher>();
        var before = MessagingTestHost.NewTicket();
        await publisher.PublishAsync(before, TimeProvider.System);
        await Eventually.TrueAsync(() => log.CountFor(before.Id) == 1, "the first ticket to be handled");
        await using var admin = new NatsConnection(NatsOpts.Default with { Url = _nats.Url });
        var js = new NatsJSContext(admin);

        await js.DeleteStreamAsync("TICKETING");

        // Recreated by the consumer (nobody publishes meanwhile), with its durable consumer.
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await js.GetConsumerAsync("TICKETING", EventConsumer<TicketCreatedV1>.ConsumerName("ready"));
                return true;
            }
            catch (NatsJSApiException)
            {
                return false;
            }
        }, "the consumer to recreate the stream and itself", TimeSpan.FromSeconds(30));
        var after = MessagingTestHost.NewTicket();
        (await js.PublishAsync(TicketCreatedV1.Subject, EventJson.Serialize(after), NatsRawSerializer<byte[]>.Default)).EnsureSuccess();
        await Eventually.TrueAsync(() => log.CountFor(after.Id) == 1, "the ticket published after the recreation to be handled", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Readiness_WhenTheOutboxBacklogIsOlderThanTheLimit_IsRed_AndGreenOnceRelayed()
    {
        _nats = await NatsServer.StartNewAsync();
        var (app, client) = await StartAsync(builder =>
        {
            builder.AddMessaging("ready");
            builder.AddDocumentStorage("ready");
            builder.Services.AddOutboxCollection<Widget>("widgets");
        }, new() { ["NATS_URL"] = _nats.Url, ["OUTBOX_MAX_AGE_S"] = "1" });
        await Eventually.TrueAsync(async () => (await ReadyAsync(client)).Status == HttpStatusCode.OK, "readiness at start");
        await _nats.StopAsync();
        var widget = Widget.Create("waiting") with { };
        widget = widget with { Outbox = [widget.Outbox[0] with { OccurredAt = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(5) }] };

        Assert.Equal(WriteResult.Ok, await app.Services.GetRequiredService<IDocumentCollection<Widget>>().InsertAsync(widget));

        var (_, body, raw) = await ReadyAsync(client);
        Assert.Equal("Unhealthy", CheckStatus(body, "outbox"));
        Assert.Contains("oldest unpublished event", raw, StringComparison.Ordinal);

        await _nats.StartAsync();
        await Eventually.TrueAsync(async () => CheckStatus((await ReadyAsync(client)).Body, "outbox") == "Healthy", "the relay to publish the backlog", TimeSpan.FromSeconds(60));
    }
}
