using System.Net;
using Ticketing.Common.Events;
using Ticketing.Common.Testing.Web;
using Ticketing.Payments.Domain;
using Ticketing.Payments.Endpoints;
using Ticketing.Payments.Tests.Infrastructure;

namespace Ticketing.Payments.Tests.Webhooks;

/// <summary>
/// POST /api/payments/webhook: Stripe events signed with the service's <c>STRIPE_WEBHOOK_SECRET</c> (the test makes
/// one and signs as Stripe does). A succeeded intent is recorded once however often it arrives; refunds are recorded;
/// anything not correctly and recently signed is 400 and stores nothing.
/// </summary>
public sealed class WebhookTests(SimulatedPaymentsFixture fixture) : IClassFixture<SimulatedPaymentsFixture>
{
    private PaymentsApp App => fixture.App;

    private static string NewIntentId() => $"pi_{Guid.NewGuid():N}";

    [Fact]
    public async Task PaymentIntentSucceeded_DeliveredThreeTimes_RecordsOnePayment_AndPublishesOnePaymentCreated()
    {
        var (_, order) = await App.BuyerWithOrderAsync();
        var intentId = NewIntentId();
        var payload = StripeEvents.PaymentIntentSucceeded(intentId, order.Id, amount: 2000);

        // Anonymous: Stripe has no session.
        for (var delivery = 0; delivery < 3; delivery++)
        {
            var response = await App.PostWebhookAsync(payload);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var payment = Assert.Single(await App.Payments.ListForOrderAsync(order.Id));
        Assert.Equal((PaymentStatus.Succeeded, intentId, 20m, "usd"), (payment.Status, payment.StripeId, payment.Amount, payment.Currency));
        Assert.Equal(new PaymentCreatedV1(payment.Id, order.Id, intentId),
            await App.Events.WaitForAsync<PaymentCreatedV1>(e => e.OrderId == order.Id, "PaymentCreated"));
        Assert.Single(await App.Events.AllAsync<PaymentCreatedV1>(), e => e.OrderId == order.Id);
    }

    [Fact]
    public async Task PaymentIntentSucceeded_ThreeConcurrentDeliveries_RecordOnePayment()
    {
        var (_, order) = await App.BuyerWithOrderAsync();
        var payload = StripeEvents.PaymentIntentSucceeded(NewIntentId(), order.Id);

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => App.PostWebhookAsync(payload))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(await App.Payments.ListForOrderAsync(order.Id));
        await App.Events.WaitForAsync<PaymentCreatedV1>(e => e.OrderId == order.Id, "PaymentCreated");
        Assert.Single(await App.Events.AllAsync<PaymentCreatedV1>(), e => e.OrderId == order.Id);
    }

    [Fact]
    public async Task PaymentIntentSucceeded_ForAPaymentTheRequestAlreadyRecorded_ChangesNothing()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        var paid = await PaymentsApp.PaidAsync(buyer, order.Id);

        var response = await App.PostWebhookAsync(StripeEvents.PaymentIntentSucceeded(paid.StripeId, order.Id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payment = Assert.Single(await App.Payments.ListForOrderAsync(order.Id));
        Assert.Equal((paid.Id, 0L + 1), (payment.Id, payment.Version));
        await App.Events.WaitForAsync<PaymentCreatedV1>(e => e.OrderId == order.Id, "PaymentCreated");
        Assert.Single(await App.Events.AllAsync<PaymentCreatedV1>(), e => e.OrderId == order.Id);
    }

    [Fact]
    public async Task PaymentIntentSucceeded_AfterAuthentication_CompletesTheAttemptThatNeededIt()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        var needsAuth = await PaymentsApp.PayAsync(buyer, order.Id, "pm_card_authenticationRequired");
        Assert.Equal(HttpStatusCode.PaymentRequired, needsAuth.StatusCode);
        var attempt = Assert.Single(await App.Payments.ListForOrderAsync(order.Id));

        // The card holder authenticated with their bank; Stripe confirms the intent by webhook only.
        var response = await App.PostWebhookAsync(StripeEvents.PaymentIntentSucceeded(attempt.StripeId!, order.Id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payment = Assert.Single(await App.Payments.ListForOrderAsync(order.Id));
        Assert.Equal((attempt.Id, PaymentStatus.Succeeded), (payment.Id, payment.Status));
        await App.Events.WaitForAsync<PaymentCreatedV1>(e => e.Id == attempt.Id && e.StripeId == attempt.StripeId, "PaymentCreated");
        await (await PaymentsApp.PayAsync(buyer, order.Id)).AssertProblemAsync(HttpStatusCode.BadRequest, ("Order is already paid", null));
    }

    [Fact]
    public async Task RefundCreated_IsRecordedOnThePayment_Once()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        var paid = await PaymentsApp.PaidAsync(buyer, order.Id);
        var refundId = $"re_{Guid.NewGuid():N}";

        Assert.Equal(HttpStatusCode.OK, (await App.PostWebhookAsync(StripeEvents.RefundCreated(refundId, paid.StripeId))).StatusCode);
        var recorded = (await App.Payments.GetAsync(paid.Id))!;
        Assert.Equal(HttpStatusCode.OK, (await App.PostWebhookAsync(StripeEvents.RefundCreated(refundId, paid.StripeId))).StatusCode);

        Assert.Equal((refundId, "succeeded"), (recorded.RefundId, recorded.RefundStatus));
        Assert.Equal(recorded.Version, (await App.Payments.GetAsync(paid.Id))!.Version);
    }

    [Fact]
    public async Task AnEventAboutSomethingElse_IsAcknowledged_AndStoresNothing()
    {
        var response = await App.PostWebhookAsync(StripeEvents.Event("customer.created", new System.Text.Json.Nodes.JsonObject { ["id"] = "cus_1", ["object"] = "customer" }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AnIntentWithoutOurOrderId_IsAcknowledged_AndStoresNothing()
    {
        var intentId = NewIntentId();

        var response = await App.PostWebhookAsync(StripeEvents.PaymentIntentSucceeded(intentId, "someone-elses"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(await App.Payments.GetByStripeIdAsync(intentId));
    }

    public static TheoryData<string> BadSignatures() => new()
    {
        "",
        "t=1,v1=00",
        "garbage",
    };

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task BadSignature_Returns400_AndStoresNothing(string signature)
    {
        var (_, order) = await App.BuyerWithOrderAsync();

        var response = await App.PostWebhookAsync(StripeEvents.PaymentIntentSucceeded(NewIntentId(), order.Id), signature);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, (PaymentsEndpoints.InvalidSignatureMessage, null));
        Assert.Empty(await App.Payments.ListForOrderAsync(order.Id));
    }

    [Fact]
    public async Task SignedWithAnotherSecret_Returns400_AndStoresNothing()
    {
        var (_, order) = await App.BuyerWithOrderAsync();
        var payload = StripeEvents.PaymentIntentSucceeded(NewIntentId(), order.Id);

        var response = await App.PostWebhookAsync(payload, StripeEvents.Sign(payload, "whsec_not_the_services_secret"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, (PaymentsEndpoints.InvalidSignatureMessage, null));
        Assert.Empty(await App.Payments.ListForOrderAsync(order.Id));
    }

    [Fact]
    public async Task StaleSignature_Returns400_AndStoresNothing()
    {
        var (_, order) = await App.BuyerWithOrderAsync();
        var payload = StripeEvents.PaymentIntentSucceeded(NewIntentId(), order.Id);

        // Correctly signed, but ten minutes ago: a replayed capture.
        var response = await App.PostWebhookAsync(payload, StripeEvents.Sign(payload, App.WebhookSecret, DateTimeOffset.UtcNow.AddMinutes(-10)));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, (PaymentsEndpoints.InvalidSignatureMessage, null));
        Assert.Empty(await App.Payments.ListForOrderAsync(order.Id));
    }

    [Fact]
    public async Task TamperedPayload_Returns400_AndStoresNothing()
    {
        var (_, order) = await App.BuyerWithOrderAsync();
        var original = StripeEvents.PaymentIntentSucceeded(NewIntentId(), order.Id, amount: 1);
        var tampered = original.Replace("\"amount\":1,", "\"amount\":2,", StringComparison.Ordinal);
        Assert.NotEqual(original, tampered);

        var response = await App.PostWebhookAsync(tampered, StripeEvents.Sign(original, App.WebhookSecret));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, (PaymentsEndpoints.InvalidSignatureMessage, null));
        Assert.Empty(await App.Payments.ListForOrderAsync(order.Id));
    }

    [Fact]
    public async Task CorrectlySignedButNotAnEvent_Returns400()
    {
        var response = await App.PostWebhookAsync("{ not json");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, (PaymentsEndpoints.InvalidEventMessage, null));
    }

    [Fact]
    public async Task TheWebhook_IsNotBehindTheSessionCookie_ButTheSignature()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();

        // A signed-in user without Stripe's signature gets nowhere.
        var response = await App.PostWebhookAsync(StripeEvents.PaymentIntentSucceeded(NewIntentId(), order.Id), signature: "", client: buyer);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await App.Payments.ListForOrderAsync(order.Id));
    }
}

/// <summary>The webhook's rate limit and its absence when no secret is configured: each needs a service of its own.</summary>
public sealed class WebhookSettingsTests
{
    [Fact]
    public async Task Webhook_BeyondTheRateLimit_Returns429WithRetryAfter()
    {
        await using var app = PaymentsApp.Simulated(new Dictionary<string, string?>
        {
            ["PAYMENTS_WEBHOOK_RATE_LIMIT"] = "2",
            ["PAYMENTS_WEBHOOK_RATE_LIMIT_WINDOW_SECONDS"] = "60",
        });
        await app.StartAsync();
        var payload = StripeEvents.Event("customer.created", new System.Text.Json.Nodes.JsonObject { ["id"] = "cus_1" });

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last = await app.PostWebhookAsync(payload);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        await last!.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(int.Parse(last!.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    [Fact]
    public async Task Webhook_WithoutAWebhookSecret_Returns404()
    {
        await using var app = PaymentsApp.Simulated(new Dictionary<string, string?> { ["STRIPE_WEBHOOK_SECRET"] = "" });
        await app.StartAsync();
        var (_, order) = await app.BuyerWithOrderAsync();

        var response = await app.PostWebhookAsync(StripeEvents.PaymentIntentSucceeded($"pi_{Guid.NewGuid():N}", order.Id));

        await response.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await app.Payments.ListForOrderAsync(order.Id));
    }
}
