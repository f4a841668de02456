global using PaymentsApp = Ticketing.Common.Testing.Web.ServiceApp<Program>;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Web;
using Ticketing.Payments.Data;
using Ticketing.Payments.Domain;
using Ticketing.Payments.Endpoints;

namespace Ticketing.Payments.Tests.Infrastructure;

/// <summary>
/// The payments service under test is the shared <c>ServiceApp</c> (in memory, on its own real nats-server, with a
/// stream probe, event publishing and "wait until handled"); these are the few things only payments' tests need from
/// it: the simulated or the Stripe gateway (Stripe.net pointed at a local <see cref="StripeStub"/>), a webhook secret
/// of its own, every log entry, its stores, orders in the replica, paying and calling the webhook.
/// </summary>
public static class PaymentsAppExtensions
{
    extension(PaymentsApp app)
    {
        /// <summary>Payments with the simulated gateway (<c>PAYMENTS_SIMULATED=true</c>), not started.</summary>
        public static PaymentsApp Simulated(IReadOnlyDictionary<string, string?>? settings = null) =>
            PaymentsApp.WithSettings(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["PAYMENTS_SIMULATED"] = "true" });

        /// <summary>Payments with the Stripe gateway, Stripe.net talking to <paramref name="stripe"/>, not started.</summary>
        public static PaymentsApp WithStripe(StripeStub stripe) =>
            PaymentsApp.WithSettings(new Dictionary<string, string?> { ["STRIPE_KEY"] = StripeStub.TestKey, ["STRIPE_API_BASE"] = stripe.Url });

        /// <summary>An app on its own nats-server with a fresh <c>STRIPE_WEBHOOK_SECRET</c> (made by the test, never committed), logs captured at the production level.</summary>
        private static PaymentsApp WithSettings(Dictionary<string, string?> settings)
        {
            var created = new PaymentsApp { OwnNats = true, Logs = new CapturedLogs() };
            created.Settings["STRIPE_WEBHOOK_SECRET"] = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
            created.Settings["Logging:LogLevel:Default"] = "Information";
            foreach (var (key, value) in settings)
            {
                created.Settings[key] = value;
            }

            return created;
        }

        /// <summary>The <c>STRIPE_WEBHOOK_SECRET</c> this service verifies webhooks with.</summary>
        public string WebhookSecret => app.Settings["STRIPE_WEBHOOK_SECRET"] ?? "";

        /// <summary>Every log entry the service wrote.</summary>
        public IReadOnlyCollection<string> LogEntries => ((CapturedLogs)app.Logs!).Entries;

        public IPaymentStore Payments => app.Service<IPaymentStore>();

        public IOrderReplicaStore Orders => app.Service<IOrderReplicaStore>();

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
            Assert.Equal(WriteResult.Ok, await app.Orders.AddAsync(order));
            return order;
        }

        /// <summary>A signed-in buyer with an order of their own.</summary>
        public async Task<(HttpClient Buyer, OrderReplica Order)> BuyerWithOrderAsync(decimal price = 20m)
        {
            var client = app.CreateSignedInClient(out var userId);
            return (client, await app.SeedOrderAsync(userId, price));
        }

        public static Task<HttpResponseMessage> PayAsync(HttpClient client, string orderId, string token = "tok_visa") =>
            client.PostAsJsonAsync("/api/payments", new { orderId, token });

        /// <summary>Pays through the API and returns the payment (asserting the 201).</summary>
        public static async Task<PaymentResponse> PaidAsync(HttpClient client, string orderId, string token = "tok_visa")
        {
            var response = await PaymentsApp.PayAsync(client, orderId, token);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"Expected 201, got {(int)response.StatusCode}: {body}");
            return (await response.Content.ReadFromJsonAsync<PaymentResponse>())!;
        }

        /// <summary>Sends a Stripe event to the webhook, signed with this service's secret (or <paramref name="signature"/>).</summary>
        public Task<HttpResponseMessage> PostWebhookAsync(string payload, string? signature = null, HttpClient? client = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, PaymentsEndpoints.WebhookPath)
            {
                Content = new StringContent(payload, System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("Stripe-Signature", signature ?? StripeEvents.Sign(payload, app.WebhookSecret));
            return (client ?? app.CreateAnonymousClient()).SendAsync(request);
        }
    }
}

/// <summary>A payments app with the simulated gateway for a test class whose tests each make their own data.</summary>
public sealed class SimulatedPaymentsFixture : ServiceAppFixture<Program>
{
    protected override PaymentsApp CreateApp() => PaymentsApp.Simulated();
}

/// <summary>A payments app with the Stripe gateway talking to its own <see cref="StripeStub"/>, for one test class.</summary>
public sealed class StripePaymentsFixture : ServiceAppFixture<Program>, IAsyncLifetime
{
    public StripeStub Stripe { get; } = new();

    protected override PaymentsApp CreateApp() => PaymentsApp.WithStripe(Stripe);

    // ServiceAppFixture.DisposeAsync is not virtual: this re-implements the interface to stop the stub too.
    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        Stripe.Dispose();
    }
}
