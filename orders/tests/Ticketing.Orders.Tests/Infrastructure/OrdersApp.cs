using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Messaging;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Testing.Web;
using Ticketing.Orders.Data;
using Ticketing.Orders.Domain;
using Ticketing.Orders.Endpoints;
using Ticketing.Orders.Extensions;

namespace Ticketing.Orders.Tests.Infrastructure;

/// <summary>
/// The orders service in memory (embedded store in a temp folder) against its own real nats-server, with what
/// tests need around it: signed-in clients, tickets in the replica, raw event publishing, waiting until a
/// consumer has handled a message, and the events the service published.
/// </summary>
public sealed class OrdersApp : IAsyncDisposable
{
    private readonly NatsServer _nats;
    private readonly ServiceFactory<Program> _factory;
    private readonly WebApplicationFactory<Program> _host;
    private StreamProbe? _events;

    private OrdersApp(NatsServer nats, ServiceFactory<Program> factory, WebApplicationFactory<Program> host, FakeTimeProvider? clock)
    {
        _nats = nats;
        _factory = factory;
        _host = host;
        Clock = clock;
    }

    /// <summary>The service's clock when the test controls time.</summary>
    public FakeTimeProvider? Clock { get; }

    public IServiceProvider Services => _host.Services;
    public IOrderStore Orders => Services.GetRequiredService<IOrderStore>();
    public ITicketReplicaStore Tickets => Services.GetRequiredService<ITicketReplicaStore>();
    private INatsJSContext JetStream => Services.GetRequiredService<INatsJSContext>();

    /// <summary>What the service published and parked, and its durable consumers, as another service sees them.</summary>
    public StreamProbe Events => _events ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>
    /// Starts nats-server and the service. With <paramref name="clock"/> the service's <see cref="TimeProvider"/> is
    /// that fake clock. <paramref name="settings"/> are added to the test settings (JWT_KEY, DATA_DIR, NATS_URL).
    /// </summary>
    public static async Task<OrdersApp> StartAsync(FakeTimeProvider? clock = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var nats = await NatsServer.StartNewAsync();
        var factory = new ServiceFactory<Program>();
        factory.Settings["NATS_URL"] = nats.Url;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            factory.Settings[key] = value;
        }

        var host = clock is null
            ? factory
            : factory.WithWebHostBuilder(web => web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        var app = new OrdersApp(nats, factory, host, clock);
        try
        {
            // Connected before the first request, so a write publishes its events at once instead of leaving them to the relay.
            var connection = app.Services.GetRequiredService<INatsConnection>();
            await Eventually.TrueAsync(() => connection.ConnectionState == NatsConnectionState.Open, "the service to connect to NATS");
            await app.Services.GetRequiredService<JetStreamTopology>().EnsureAsync(CancellationToken.None);
            app._events = await StreamProbe.StartAsync(app.Services);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    /// <summary>A fake clock that starts now (session tokens are issued with the real clock and must be valid).</summary>
    public static FakeTimeProvider NewClock() => new(DateTimeOffset.UtcNow);

    public HttpClient CreateClient(out string userId)
    {
        var client = CreateAnonymousClient();
        userId = client.SignIn(_factory.JwtKey);
        return client;
    }

    public HttpClient CreateClient() => CreateClient(out _);

    public HttpClient CreateAnonymousClient() =>
        _host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });

    /// <summary>A ticket written straight into the replica, as if its TicketCreated had been handled.</summary>
    public async Task<TicketReplica> SeedTicketAsync(string title = "Concert", decimal price = 20m)
    {
        var ticket = new TicketReplica { Id = DocumentIds.New(), Title = title, Price = price, Version = 0 };
        Assert.Equal(WriteResult.Ok, await Tickets.AddAsync(ticket));
        return ticket;
    }

    /// <summary>Places an order through the API and returns it (asserting the 201).</summary>
    public async Task<OrderResponse> PlaceOrderAsync(HttpClient client, string ticketId)
    {
        var response = await client.PostAsJsonAsync("/api/orders", new { ticketId });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<OrderResponse>(TestJson.Options))!;
    }

    /// <summary>A stored order (asserting it exists).</summary>
    public async Task<Order> StoredOrderAsync(string id) =>
        await Orders.GetAsync(id) ?? throw new Xunit.Sdk.XunitException($"Order {id} is not stored.");

    /// <summary>
    /// Publishes an event to the stream as another service would and returns its stream sequence. A different
    /// <paramref name="messageId"/> gets a copy past the stream's duplicate window (a redelivery, a replay).
    /// </summary>
    public async Task<ulong> PublishAsync<TEvent>(TEvent @event, string? messageId = null) where TEvent : IIntegrationEvent<TEvent>
    {
        var ack = await JetStream.PublishAsync(
            TEvent.Subject,
            EventJson.Serialize(@event),
            NatsRawSerializer<byte[]>.Default,
            new NatsJSPubOpts { MsgId = messageId ?? @event.MessageId });
        ack.EnsureSuccess();
        return ack.Seq;
    }

    /// <summary>
    /// Waits until the service's durable consumer for <typeparamref name="TEvent"/> has acknowledged (or parked) every
    /// message up to <paramref name="sequence"/>: the handler finished, and what it wrote and published is done.
    /// </summary>
    public Task WaitHandledAsync<TEvent>(ulong sequence) where TEvent : IIntegrationEvent<TEvent>
    {
        var name = EventConsumer<TEvent>.ConsumerName(OrdersServices.ServiceName);
        return WaitAsync(async () => await Events.ConsumerInfoAsync<TEvent>() is { } info && info.AckFloor.StreamSeq >= sequence,
            $"{name} to acknowledge stream message {sequence}");
    }

    /// <summary>
    /// <see cref="Eventually.TrueAsync(Func{Task{bool}}, string, TimeSpan?)"/>, and on a timeout the state of the
    /// service's consumers, so a failure says where the messages stopped.
    /// </summary>
    public async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        try
        {
            await Eventually.TrueAsync(condition, what);
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message}\n{await DescribeConsumersAsync()}", timeout);
        }
    }

    /// <summary>Waits until <paramref name="get"/> returns a value, reporting the consumers' state on a timeout.</summary>
    public async Task<T> WaitForValueAsync<T>(Func<Task<T?>> get, string what) where T : class
    {
        T? value = null;
        await WaitAsync(async () => (value = await get()) is not null, what);
        return value!;
    }

    /// <summary>Waits for the first <typeparamref name="TEvent"/> the service published that matches, reporting the consumers' state on a timeout.</summary>
    public Task<TEvent> WaitForEventAsync<TEvent>(Func<TEvent, bool> match, string what) where TEvent : class, IIntegrationEvent<TEvent> =>
        WaitForValueAsync(async () => (await Events.AllAsync<TEvent>()).FirstOrDefault(match), what);

    /// <summary>Waits until the service has parked a <typeparamref name="TEvent"/> that matches, reporting the consumers' state on a timeout.</summary>
    public Task<TEvent> WaitForParkedAsync<TEvent>(Func<TEvent, bool> match, string what) where TEvent : class, IIntegrationEvent<TEvent> =>
        WaitForValueAsync(async () => (await Events.ParkedAsync(TEvent.Subject)).Select(m => EventJson.Deserialize<TEvent>(m.Data)).FirstOrDefault(match), what);

    private async Task<string> DescribeConsumersAsync()
    {
        var lines = new List<string>
        {
            Describe<TicketCreatedV1>(await Events.ConsumerInfoAsync<TicketCreatedV1>()),
            Describe<TicketUpdatedV1>(await Events.ConsumerInfoAsync<TicketUpdatedV1>()),
            Describe<ExpirationCompletedV1>(await Events.ConsumerInfoAsync<ExpirationCompletedV1>()),
            Describe<PaymentCreatedV1>(await Events.ConsumerInfoAsync<PaymentCreatedV1>()),
        };

        var deadLetters = (await JetStream.GetStreamAsync("TICKETING_DEADLETTER")).Info.State.Messages;
        lines.Add($"dead letters: {deadLetters}; NATS connection: {Services.GetRequiredService<INatsConnection>().ConnectionState}");
        return string.Join('\n', lines);
    }

    private static string Describe<TEvent>(ConsumerInfo? info) where TEvent : IIntegrationEvent<TEvent>
    {
        var name = EventConsumer<TEvent>.ConsumerName(OrdersServices.ServiceName);
        return info is null
            ? $"{name}: missing"
            : $"{name}: delivered stream seq {info.Delivered.StreamSeq}, ack floor {info.AckFloor.StreamSeq}, ack pending {info.NumAckPending}, " +
              $"redelivered {info.NumRedelivered}, unprocessed {info.NumPending}, waiting pulls {info.NumWaiting}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_events is not null)
        {
            await _events.DisposeAsync();
        }

        await _factory.DisposeAsync(); // disposes the derived host too
        await _nats.DisposeAsync();
    }
}

/// <summary>One <see cref="OrdersApp"/> for a test class whose tests each make their own users and tickets.</summary>
public sealed class OrdersAppFixture : IAsyncLifetime
{
    private OrdersApp? _app;

    public OrdersApp App => _app ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync() => _app = await OrdersApp.StartAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
