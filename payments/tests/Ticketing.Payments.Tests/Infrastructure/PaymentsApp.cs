using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Messaging;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Testing.Web;
using Ticketing.Payments.Data;
using Ticketing.Payments.Domain;
using Ticketing.Payments.Endpoints;

namespace Ticketing.Payments.Tests.Infrastructure;

/// <summary>
/// The payments service in memory (embedded store in a temp folder) against its own real nats-server, with either the
/// simulated gateway or Stripe.net pointed at a local WireMock server (<see cref="StripeStub"/>), and what tests need
/// around it: signed-in clients, orders in the replica, raw event publishing, the events the service published, a
/// webhook secret of its own, and every log line the service wrote.
/// </summary>
public sealed class PaymentsApp : IAsyncDisposable
{
    private readonly NatsServer _nats;
    private readonly ServiceFactory<Program> _factory;
    private readonly WebApplicationFactory<Program> _host;
    private StreamProbe? _events;

    private PaymentsApp(NatsServer nats, ServiceFactory<Program> factory, WebApplicationFactory<Program> host, string webhookSecret)
    {
        _nats = nats;
        _factory = factory;
        _host = host;
        WebhookSecret = webhookSecret;
    }

    /// <summary>The <c>STRIPE_WEBHOOK_SECRET</c> this service verifies webhooks with (made by the test, never committed).</summary>
    public string WebhookSecret { get; }

    public CapturedLogs Logs { get; } = new();
    public IServiceProvider Services => _host.Services;
    public IPaymentStore Payments => Services.GetRequiredService<IPaymentStore>();
    public IOrderReplicaStore Orders => Services.GetRequiredService<IOrderReplicaStore>();
    private INatsJSContext JetStream => Services.GetRequiredService<INatsJSContext>();

    /// <summary>What the service published and parked, and its durable consumers, as another service sees them.</summary>
    public StreamProbe Events => _events ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>Payments with the simulated gateway (<c>PAYMENTS_SIMULATED=true</c>).</summary>
    public static Task<PaymentsApp> StartSimulatedAsync(IReadOnlyDictionary<string, string?>? settings = null) =>
        StartAsync(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["PAYMENTS_SIMULATED"] = "true" });

    /// <summary>Payments with the Stripe gateway, Stripe.net talking to <paramref name="stripe"/>.</summary>
    public static Task<PaymentsApp> StartWithStripeAsync(StripeStub stripe, IReadOnlyDictionary<string, string?>? settings = null) =>
        StartAsync(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["STRIPE_KEY"] = StripeStub.TestKey,
            ["STRIPE_API_BASE"] = stripe.Url,
        });

    private static async Task<PaymentsApp> StartAsync(Dictionary<string, string?> settings)
    {
        var nats = await NatsServer.StartNewAsync();
        var factory = new ServiceFactory<Program>();
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        factory.Settings["NATS_URL"] = nats.Url;
        factory.Settings["STRIPE_WEBHOOK_SECRET"] = secret;
        foreach (var (key, value) in settings)
        {
            factory.Settings[key] = value;
        }

        PaymentsApp? app = null;
        var host = factory.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
            services.AddSingleton<ILoggerProvider>(_ => app!.Logs)));
        app = new PaymentsApp(nats, factory, host, secret);
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

    public HttpClient CreateClient(out string userId)
    {
        var client = CreateAnonymousClient();
        userId = client.SignIn(_factory.JwtKey);
        return client;
    }

    public HttpClient CreateAnonymousClient() =>
        _host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });

    /// <summary>An order written straight into the replica, as if its OrderCreated had been handled.</summary>
    public async Task<OrderReplica> SeedOrderAsync(string userId, decimal price = 20m, OrderStatus status = OrderStatus.Created, long version = 0)
    {
        var order = new OrderReplica
        {
            Id = DocumentIds.New(),
            UserId = userId,
            Price = price,
            Status = status,
            Version = version,
            TicketId = DocumentIds.New(),
        };
        Assert.Equal(WriteResult.Ok, await Orders.AddAsync(order));
        return order;
    }

    /// <summary>A signed-in buyer with an order of their own.</summary>
    public async Task<(HttpClient Buyer, OrderReplica Order)> BuyerWithOrderAsync(decimal price = 20m)
    {
        var client = CreateClient(out var userId);
        return (client, await SeedOrderAsync(userId, price));
    }

    public static Task<HttpResponseMessage> PayAsync(HttpClient client, string orderId, string token = "tok_visa") =>
        client.PostAsJsonAsync("/api/payments", new { orderId, token });

    /// <summary>Pays through the API and returns the payment (asserting the 201).</summary>
    public static async Task<PaymentResponse> PaidAsync(HttpClient client, string orderId, string token = "tok_visa")
    {
        var response = await PayAsync(client, orderId, token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Expected 201, got {(int)response.StatusCode}: {body}");
        return (await response.Content.ReadFromJsonAsync<PaymentResponse>())!;
    }

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

    /// <summary>Waits until the service's durable consumer of <typeparamref name="TEvent"/> has acknowledged (or parked) every message up to <paramref name="sequence"/>.</summary>
    public Task WaitHandledAsync<TEvent>(ulong sequence) where TEvent : IIntegrationEvent<TEvent> =>
        Eventually.TrueAsync(
            async () => await Events.ConsumerInfoAsync<TEvent>() is { } info && info.AckFloor.StreamSeq >= sequence,
            $"payments to acknowledge {typeof(TEvent).Name} at stream sequence {sequence}");

    /// <summary>Sends a Stripe event to the webhook, signed with this service's secret (or <paramref name="signature"/>).</summary>
    public Task<HttpResponseMessage> PostWebhookAsync(string payload, string? signature = null, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, PaymentsEndpoints.WebhookPath)
        {
            Content = new StringContent(payload, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signature ?? StripeEvents.Sign(payload, WebhookSecret));
        return (client ?? CreateAnonymousClient()).SendAsync(request);
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

/// <summary>A fresh <see cref="PaymentsApp"/> with the simulated gateway for a test class whose tests each make their own data.</summary>
public sealed class SimulatedPaymentsFixture : IAsyncLifetime
{
    private PaymentsApp? _app;

    public PaymentsApp App => _app ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync() => _app = await PaymentsApp.StartSimulatedAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>A <see cref="PaymentsApp"/> with the Stripe gateway talking to its own <see cref="StripeStub"/>, for one test class.</summary>
public sealed class StripePaymentsFixture : IAsyncLifetime
{
    private PaymentsApp? _app;

    public StripeStub Stripe { get; } = new();

    public PaymentsApp App => _app ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync() => _app = await PaymentsApp.StartWithStripeAsync(Stripe);

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Stripe.Dispose();
    }
}
