using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NATS.Client.Core;
using Ticketing.Common.Events;
using Ticketing.Common.Outbox;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Testing.Storage;
using Ticketing.Common.Tests.Messaging;

namespace Ticketing.Common.Tests.Outbox;

/// <summary>A small aggregate that raises an event with every change, as services' aggregates do.</summary>
public sealed record Widget : IOutboxDocument
{
    public required string Id { get; init; }
    public long Version { get; init; }
    public required string Name { get; init; }
    public OutboxMessage[] Outbox { get; init; } = [];

    public static Widget Create(string name)
    {
        var id = DocumentIds.New();
        return new Widget
        {
            Id = id,
            Name = name,
            Outbox = [OutboxMessage.Create(new TicketCreatedV1(id, 0, name, 10m, "owner"), DateTimeOffset.UtcNow)],
        };
    }
}

/// <summary>
/// The outbox against a real nats-server and the embedded store: a write publishes its events at once; an
/// event stored while NATS is down stays stored and is published by the relay once NATS is back.
/// </summary>
public sealed class OutboxTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly HandlerLog _log = new();
    private NatsServer _nats = null!;
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        _nats = await NatsServer.StartNewAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            await ((IAsyncDisposable)_host).DisposeAsync();
        }

        await _nats.DisposeAsync();
        _data.Dispose();
    }

    private async Task StartServiceAsync(Action<HostApplicationBuilder>? configure = null)
    {
        _host = await MessagingTestHost.StartAsync(_nats.Url, "widgets", _log, settings: new Dictionary<string, string?>
        {
            ["DATA_DIR"] = _data.Path,
            ["OUTBOX_SWEEP_INTERVAL_MS"] = "100",
            ["OUTBOX_GRACE_MS"] = "0",
        }, configure: builder =>
        {
            builder.AddDocumentStorage("widgets");
            builder.Services.AddOutboxCollection<Widget>("widgets");
            configure?.Invoke(builder);
        });
    }

    private IDocumentCollection<Widget> Widgets => _host.Services.GetRequiredService<IDocumentCollection<Widget>>();

    [Fact]
    public async Task Write_PublishesItsEventAtOnce_AndEmptiesTheOutbox()
    {
        await StartServiceAsync();
        await Eventually.TrueAsync(() => _host.Services.GetRequiredService<INatsConnection>().ConnectionState == NatsConnectionState.Open, "NATS to connect");
        var widget = Widget.Create("first");

        Assert.Equal(WriteResult.Ok, await Widgets.InsertAsync(widget));

        // Published by the write itself: already gone from the document when the insert returns.
        Assert.Empty((await Widgets.GetAsync(widget.Id))!.Outbox);
        await Eventually.TrueAsync(() => _log.CountFor(widget.Id) == 1, "the event to be consumed");
    }

    [Fact]
    public async Task EventStoredWhileNatsIsDown_IsPublishedByTheRelay_OnceNatsIsBack()
    {
        await _nats.StopAsync();
        await StartServiceAsync();
        var widget = Widget.Create("stored while down");

        Assert.Equal(WriteResult.Ok, await Widgets.InsertAsync(widget)); // the write succeeds without NATS
        var stored = await Widgets.GetAsync(widget.Id);
        Assert.Equal(widget.Outbox.Select(m => m.MessageId), stored!.Outbox.Select(m => m.MessageId));

        await _nats.StartAsync();

        await Eventually.TrueAsync(() => _log.CountFor(widget.Id) == 1, "the relay to publish the stored event", TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(async () => (await Widgets.GetAsync(widget.Id))!.Outbox.Length == 0, "the outbox to be emptied");
        Assert.Equal("stored while down", (await Widgets.GetAsync(widget.Id))!.Name);
    }

    [Fact]
    public async Task Relay_SweepsEventsLeftBehindByAProcessThatDiedBeforePublishing()
    {
        // Written straight to the database, as if the process died between the write and the publish.
        var widget = Widget.Create("orphan");
        using (var database = new Ticketing.Common.Storage.Embedded.EmbeddedDocumentDatabase(Path.Combine(_data.Path, "widgets.db")))
        {
            await database.GetCollection<Widget>("widgets").InsertAsync(widget);
        }

        await StartServiceAsync();

        await Eventually.TrueAsync(() => _log.CountFor(widget.Id) == 1, "the relay to publish the orphaned event");
        await Eventually.TrueAsync(async () => (await Widgets.GetAsync(widget.Id))!.Outbox.Length == 0, "the outbox to be emptied");
    }

    [Fact]
    public async Task Write_WhenRemovingThePublishedEventsFails_StillReportsSuccess_AndTheRelayTidiesUp()
    {
        var cleanup = new OutboxCleanupFault();
        await StartServiceAsync(builder => builder.Services.AddSingleton<IDocumentDatabase>(sp =>
            new OutboxCleanupFaultDatabase(StorageOptions.From(sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>(), "widgets").Open(), cleanup)));
        await Eventually.TrueAsync(() => _host.Services.GetRequiredService<INatsConnection>().ConnectionState == NatsConnectionState.Open, "NATS to connect");
        var widget = Widget.Create("cleanup fails");
        cleanup.Failing = true;

        // The document and its event are stored and the event goes out: that is a successful write.
        Assert.Equal(WriteResult.Ok, await Widgets.InsertAsync(widget));

        await Eventually.TrueAsync(() => _log.CountFor(widget.Id) == 1, "the event to be consumed");
        Assert.True(cleanup.Failures >= 1);
        Assert.Equal("cleanup fails", (await Widgets.GetAsync(widget.Id))!.Name);

        cleanup.Failing = false;
        await Eventually.TrueAsync(async () => (await Widgets.GetAsync(widget.Id))!.Outbox.Length == 0, "the relay to tidy the outbox");
        await Eventually.TrueAsync(() => _log.CountFor(widget.Id) >= 1, "the event to stay delivered");
    }
}
