using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Testing.Messaging;
using Ticketing.Common.Testing.Processes;
using Xunit;

namespace Ticketing.Common.Testing.Web;

/// <summary>
/// One service hosted in memory for its tests, with what every service's tests need around it: a fresh
/// <c>JWT_KEY</c> and embedded store (from <see cref="ServiceFactory{TEntryPoint}"/>), optionally a real nats-server
/// (its own, <see cref="OwnNats"/>, or a shared one passed in) with messaging tuned for tests, a fake
/// <see cref="Clock"/>, extra <see cref="TestServices"/>, signed-in and anonymous clients, a
/// <see cref="StreamProbe"/> on its events, raw event publishing, and waits for its durable consumers that say
/// where the messages stopped when they time out.
/// <para>
/// On a secured nats-server (<see cref="OwnNats"/> always is) the service connects as its own NATS user
/// (<see cref="NatsUser"/>) with exactly the permissions it has when deployed, and the streams and consumers come
/// from the provisioning step; what the test harness does "as another service" (publishing, probing, describing
/// consumers) it does as admin on a connection of its own.
/// </para>
/// <para>
/// Set everything (settings, clock, services, logs) before <see cref="StartAsync"/> or the first client.
/// <see cref="StartAsync"/> is needed with <see cref="OwnNats"/>, and for <see cref="Events"/>; with a shared
/// server or no NATS the host also starts by itself on first use.
/// </para>
/// </summary>
public class ServiceApp<TProgram> : ServiceFactory<TProgram> where TProgram : class
{
    private NatsServer? _nats;
    private bool _ownsNats;
    private StreamProbe? _events;
    private NatsConnection? _harness;

    /// <summary>A service without NATS, or, with <paramref name="sharedNats"/>, on that server (which it does not stop).</summary>
    public ServiceApp(NatsServer? sharedNats = null)
    {
        _nats = sharedNats;
        if (sharedNats is not null)
        {
            Settings["NATS_URL"] = sharedNats.Url;
        }
    }

    /// <summary>
    /// The NATS user the service connects as on a secured server: by default its name from the entry point's
    /// assembly (<c>Ticketing.Tickets</c> is <c>tickets</c>), as in the permission file.
    /// </summary>
    public string NatsUser { get; init; } = typeof(TProgram).Assembly.GetName().Name!.Split('.')[^1].ToLowerInvariant();

    /// <summary>
    /// Messaging settings for tests, applied whenever <c>NATS_URL</c> is set unless <see cref="ServiceFactory{TEntryPoint}.Settings"/>
    /// has the key: retries 50 ms, 100 ms, ... 3.2 s (several seconds for a late event to arrive), a quick outbox
    /// sweep with no grace, and warnings only in the test output.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> MessagingTestSettings { get; } = new Dictionary<string, string?>
    {
        ["NATS_MAX_DELIVER"] = "8",
        ["NATS_RETRY_DELAY_MS"] = "50",
        ["OUTBOX_SWEEP_INTERVAL_MS"] = "100",
        ["OUTBOX_GRACE_MS"] = "0",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary><see cref="StartAsync"/> starts a nats-server of this app's own (stopped on dispose).</summary>
    public bool OwnNats { get; init; }

    /// <summary>The nats-server the service uses (to stop and start it for an outage).</summary>
    public NatsServer Nats => _nats ?? throw new InvalidOperationException("This app has no nats-server (pass one, or set OwnNats and call StartAsync).");

    /// <summary>The service's <see cref="TimeProvider"/> when set; see <see cref="NewClock"/>.</summary>
    public FakeTimeProvider? Clock { get; init; }

    /// <summary>Receives every log entry, at every level, when set.</summary>
    public ILoggerProvider? Logs { get; set; }

    /// <summary>Replaces or adds services after the service's own (a store that interferes, a counting hasher, ...).</summary>
    public Action<IServiceCollection>? TestServices { get; set; }

    /// <summary>What the service published and parked, and its durable consumers, as another service sees them.</summary>
    public StreamProbe Events => _events ?? throw new InvalidOperationException("The stream probe starts in StartAsync (on an app with NATS).");

    /// <summary>The service's name in messaging: its durable consumers are <c>&lt;service&gt;-&lt;event&gt;</c>.</summary>
    public string ServiceName => Service<MessagingOptions>().ServiceName;

    /// <summary>A fake clock that starts now (session tokens are issued with the real clock and must be valid).</summary>
    public static FakeTimeProvider NewClock() => new(DateTimeOffset.UtcNow);

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// Starts nats-server (with <see cref="OwnNats"/>) and the service; with NATS, waits until the service is connected
    /// (so a write publishes its events at once instead of leaving them to the relay), makes sure the streams exist
    /// and starts <see cref="Events"/>.
    /// </summary>
    public async Task StartAsync()
    {
        if (OwnNats && _nats is null)
        {
            _nats = await NatsServer.StartSecuredAsync();
            _ownsNats = true;
            Settings["NATS_URL"] = _nats.Url;
        }

        _ = Server;
        if (_nats is null)
        {
            return;
        }

        var connection = Service<INatsConnection>();
        await Eventually.TrueAsync(() => connection.ConnectionState == NatsConnectionState.Open, "the service to connect to NATS");
        await Service<JetStreamTopology>().EnsureAsync(CancellationToken.None);
        _events = await StreamProbe.StartAsync(Services);
    }

    /// <summary>The harness's own JetStream context (admin on a secured server), for what the service itself may not do.</summary>
    private INatsJSContext Harness
    {
        get
        {
            _harness ??= NatsServer.HarnessSettings(Service<MessagingOptions>().Url).Connect("test-harness", Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
            return new NatsJSContext(_harness);
        }
    }

    /// <summary>
    /// The event subjects the service registered a handler for (each <c>AddEventHandler</c> is an
    /// <see cref="EventConsumer{TEvent}"/>), to check against <see cref="ConsumerCatalogue"/>: the provisioning step
    /// creates only the catalogue's consumers and the permission file grants only those.
    /// </summary>
    public IReadOnlyList<string> RegisteredEventSubjects() =>
        [.. Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()
            .Select(s => s.GetType())
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(EventConsumer<>))
            .Select(t => (string)t.GetGenericArguments()[0].GetProperty("Subject")!.GetValue(null)!)
            .Order(StringComparer.Ordinal)];

    /// <summary>Asserts the service's handlers are exactly its consumers in <see cref="ConsumerCatalogue"/>.</summary>
    public void AssertHandlersMatchTheConsumerCatalogue()
    {
        var declared = ConsumerCatalogue.Of(NatsUser).Select(c => c.Subject).Order(StringComparer.Ordinal).ToList();
        Assert.True(
            declared.SequenceEqual(RegisteredEventSubjects()),
            $"{NatsUser} handles [{string.Join(", ", RegisteredEventSubjects())}] but ConsumerCatalogue declares [{string.Join(", ", declared)}]: " +
            "add the handler to ConsumerCatalogue (common/src/Ticketing.Common/Messaging) and its durable's permissions to infra/nats/auth.conf");
    }

    /// <summary>A client whose requests carry the session cookie of a new signed-in user.</summary>
    public HttpClient CreateSignedInClient() => CreateSignedInClient(out _);

    /// <summary>A client without a cookie jar (tests read and send cookies themselves), optionally from one client address (<c>X-Forwarded-For</c>).</summary>
    public HttpClient CreateClientFrom(string? address = null)
    {
        var client = CreateAnonymousClient();
        if (address is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        }

        return client;
    }

    /// <summary>A client that keeps cookies like a browser on https (so <c>Secure</c> cookies are sent back).</summary>
    public HttpClient CreateBrowserClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, BaseAddress = new Uri("https://localhost") });

    /// <summary>
    /// Publishes an event to the stream as another service would (as admin) and returns its stream sequence. A different
    /// <paramref name="messageId"/> gets a copy past the stream's duplicate window (a redelivery, a replay).
    /// </summary>
    public async Task<ulong> PublishAsync<TEvent>(TEvent @event, string? messageId = null) where TEvent : IIntegrationEvent<TEvent>
    {
        var ack = await Harness.PublishAsync(
            TEvent.Subject,
            EventJson.Serialize(@event),
            NatsRawSerializer<byte[]>.Default,
            new NatsJSPubOpts { MsgId = messageId ?? @event.MessageId });
        ack.EnsureSuccess();
        return ack.Seq;
    }

    /// <summary>The service's durable consumer of <typeparamref name="TEvent"/>, or null before the service has created it.</summary>
    public async Task<ConsumerInfo?> ConsumerInfoAsync<TEvent>() where TEvent : IIntegrationEvent<TEvent>
    {
        try
        {
            return (await Harness.GetConsumerAsync(Service<MessagingOptions>().StreamName, EventConsumer<TEvent>.ConsumerName(ServiceName))).Info;
        }
        catch (NatsJSApiException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits until the service's durable consumer for <typeparamref name="TEvent"/> has acknowledged (or parked) every
    /// message up to <paramref name="sequence"/>: the handler finished, and what it wrote and published is done.
    /// </summary>
    public Task WaitHandledAsync<TEvent>(ulong sequence) where TEvent : IIntegrationEvent<TEvent> =>
        WaitAsync(
            async () => await ConsumerInfoAsync<TEvent>() is { } info && info.AckFloor.StreamSeq >= sequence,
            $"{EventConsumer<TEvent>.ConsumerName(ServiceName)} to acknowledge stream message {sequence}");

    /// <summary>
    /// <see cref="Eventually.TrueAsync(Func{Task{bool}}, string, TimeSpan?)"/>, and on a timeout the state of the
    /// service's consumers, so a failure says where the messages stopped.
    /// </summary>
    public async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        try
        {
            await Eventually.TrueAsync(condition, what, timeout);
        }
        catch (TimeoutException timedOut) when (_nats is not null)
        {
            throw new TimeoutException($"{timedOut.Message}\n{await DescribeConsumersAsync()}", timedOut);
        }
    }

    /// <summary>Waits until <paramref name="get"/> returns a value, reporting the consumers' state on a timeout.</summary>
    public async Task<T> WaitForValueAsync<T>(Func<Task<T?>> get, string what, TimeSpan? timeout = null) where T : class
    {
        T? value = null;
        await WaitAsync(async () => (value = await get()) is not null, what, timeout);
        return value!;
    }

    /// <summary>Waits for the first <typeparamref name="TEvent"/> the service published that matches, reporting the consumers' state on a timeout.</summary>
    public Task<TEvent> WaitForEventAsync<TEvent>(Func<TEvent, bool> match, string what, TimeSpan? timeout = null) where TEvent : class, IIntegrationEvent<TEvent> =>
        WaitForValueAsync(async () => (await Events.AllAsync<TEvent>()).FirstOrDefault(match), what, timeout);

    /// <summary>Waits until the service has parked a <typeparamref name="TEvent"/> that matches, reporting the consumers' state on a timeout.</summary>
    public Task<TEvent> WaitForParkedAsync<TEvent>(Func<TEvent, bool> match, string what, TimeSpan? timeout = null) where TEvent : class, IIntegrationEvent<TEvent> =>
        WaitForValueAsync(async () => (await Events.ParkedAsync(TEvent.Subject)).Select(m => EventJson.Deserialize<TEvent>(m.Data)).FirstOrDefault(match), what, timeout);

    /// <summary>Each of the service's durable consumers (delivered, acknowledged, pending, redelivered), the dead letters and the connection.</summary>
    public async Task<string> DescribeConsumersAsync()
    {
        try
        {
            var options = Service<MessagingOptions>();
            var jetStream = Harness;
            var lines = new List<string>();
            await foreach (var consumer in jetStream.ListConsumersAsync(options.StreamName))
            {
                var info = consumer.Info;
                if (info.Name.StartsWith($"{options.ServiceName}-", StringComparison.Ordinal))
                {
                    lines.Add(
                        $"{info.Name}: delivered stream seq {info.Delivered.StreamSeq}, ack floor {info.AckFloor.StreamSeq}, ack pending {info.NumAckPending}, " +
                        $"redelivered {info.NumRedelivered}, unprocessed {info.NumPending}, waiting pulls {info.NumWaiting}");
                }
            }

            lines.Sort(StringComparer.Ordinal);
            if (lines.Count == 0)
            {
                lines.Add($"{options.ServiceName} has no durable consumers on {options.StreamName}");
            }

            var deadLetters = (await jetStream.GetStreamAsync(options.DeadLetterStreamName)).Info.State.Messages;
            lines.Add($"dead letters: {deadLetters}; NATS connection: {Service<INatsConnection>().ConnectionState}");
            return string.Join('\n', lines);
        }
        catch (Exception e) when (e is NatsException or InvalidOperationException)
        {
            return $"(the consumers could not be described: {e.Message})";
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (NatsServer.SecuredAt(Settings.GetValueOrDefault("NATS_URL")) is { } nats)
        {
            foreach (var (key, value) in nats.ServiceSettings(NatsUser))
            {
                Settings.TryAdd(key, value);
            }
        }

        if (Settings.ContainsKey("NATS_URL"))
        {
            foreach (var (key, value) in MessagingTestSettings)
            {
                Settings.TryAdd(key, value);
            }
        }

        base.ConfigureWebHost(builder);
        if (Logs is not null)
        {
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        }

        builder.ConfigureTestServices(services =>
        {
            if (Clock is not null)
            {
                services.AddSingleton<TimeProvider>(Clock);
            }

            TestServices?.Invoke(services);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        if (_events is not null)
        {
            await _events.DisposeAsync();
            _events = null;
        }

        if (_harness is not null)
        {
            await _harness.DisposeAsync();
            _harness = null;
        }

        await base.DisposeAsync();
        if (_ownsNats && _nats is not null)
        {
            // TICKETING_NATS_VIOLATIONS=<file>: collect what the permission file refused during the run, to find a
            // permission a service lacks (a refused publish only times out; the server's log says what it was).
            if (System.Environment.GetEnvironmentVariable("TICKETING_NATS_VIOLATIONS") is { Length: > 0 } file && _nats.Violations.Count > 0)
            {
                await File.AppendAllLinesAsync(file, _nats.Violations.Select(v => $"{typeof(TProgram).Assembly.GetName().Name}: {v}"));
            }

            await _nats.DisposeAsync();
            _nats = null;
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// One <see cref="ServiceApp{TProgram}"/>, started, for a test class whose tests each make their own data
/// (<c>IClassFixture&lt;ServiceAppFixture&lt;Program&gt;&gt;</c>). By default the app has a nats-server of its own;
/// override <see cref="CreateApp"/> for other settings (a service without NATS, lower limits).
/// </summary>
public class ServiceAppFixture<TProgram> : IAsyncLifetime where TProgram : class
{
    private ServiceApp<TProgram>? _app;

    public ServiceApp<TProgram> App => _app ?? throw new InvalidOperationException("The fixture has not started.");

    protected virtual ServiceApp<TProgram> CreateApp() => new() { OwnNats = true };

    public async Task InitializeAsync()
    {
        _app = CreateApp();
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
