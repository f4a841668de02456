using System.Net;
using System.Net.Http.Json;
using Ticketing.Common.Events;
using Ticketing.Common.Testing.Web;
using Ticketing.Payments.Domain;
using Ticketing.Payments.Endpoints;
using Ticketing.Payments.Tests.Infrastructure;

namespace Ticketing.Payments.Tests.Http;

/// <summary>
/// POST /api/payments with the Stripe gateway: Stripe.net talks to a local WireMock server standing in for Stripe's
/// API, and the tests assert what Stripe received (amount in exact cents, currency, payment method, confirm,
/// metadata, Idempotency-Key) and how Stripe's answers map to the contract.
/// </summary>
public sealed class PayWithStripeTests(StripePaymentsFixture fixture) : IClassFixture<StripePaymentsFixture>
{
    private PaymentsApp App => fixture.App;
    private StripeStub Stripe => fixture.Stripe;

    private static string NewIntentId() => $"pi_{Guid.NewGuid():N}";

    [Theory]
    [InlineData("19.99", 1999)]
    [InlineData("0.29", 29)]
    [InlineData("1000000.00", 100000000)]
    [InlineData("20", 2000)]
    public async Task Pay_CreatesAndConfirmsOneIntent_ForThePriceInExactCents(string price, long cents)
    {
        var (buyer, order) = await App.BuyerWithOrderAsync(decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture));
        var intentId = NewIntentId();
        Stripe.IntentSucceeds(order.Id, intentId);

        var payment = await PaymentsApp.PaidAsync(buyer, order.Id, "pm_card_visa");

        Assert.Equal(new PaymentResponse(payment.Id, order.Id, intentId), payment);
        var sent = Assert.Single(Stripe.IntentsFor(order.Id));
        Assert.Equal(cents.ToString(System.Globalization.CultureInfo.InvariantCulture), sent.Field("amount"));
        Assert.Equal("usd", sent.Field("currency"));
        Assert.Equal("pm_card_visa", sent.Field("payment_method"));
        Assert.Equal("true", sent.Field("confirm"));
        Assert.Equal(order.Id, sent.Field("metadata[orderId]"));
        Assert.Equal($"Bearer {StripeStub.TestKey}", sent.Headers["Authorization"]);
        Assert.Equal(Payment.ChargeIdempotencyKey(order.Id, "pm_card_visa"), sent.IdempotencyKey);
        Assert.Contains(order.Id, sent.IdempotencyKey, StringComparison.Ordinal);
        Assert.DoesNotContain("pm_card_visa", sent.IdempotencyKey, StringComparison.Ordinal);
        var stored = Assert.Single(await App.Payments.ListForOrderAsync(order.Id));
        Assert.Equal((PaymentStatus.Succeeded, intentId), (stored.Status, stored.StripeId));
        Assert.Equal(new PaymentCreatedV1(payment.Id, order.Id, intentId),
            await App.Events.WaitForAsync<PaymentCreatedV1>(e => e.OrderId == order.Id, "PaymentCreated"));
    }

    [Fact]
    public async Task Pay_WithACardToken_SendsItAsTheIntentsCardPaymentMethodData()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        Stripe.IntentSucceeds(order.Id, NewIntentId());

        await PaymentsApp.PaidAsync(buyer, order.Id, "tok_visa");

        var sent = Assert.Single(Stripe.IntentsFor(order.Id));
        Assert.Equal("card", sent.Field("payment_method_data[type]"));
        Assert.Equal("tok_visa", sent.Field("payment_method_data[card][token]"));
        Assert.False(sent.Form.ContainsKey("payment_method"));
        Assert.Equal("true", sent.Field("confirm"));
    }

    [Fact]
    public async Task Pay_TheSameOrderAndCard_AlwaysUsesTheSameIdempotencyKey_AnotherCardAnother()
    {
        Assert.Equal(Payment.ChargeIdempotencyKey("o1", "pm_a"), Payment.ChargeIdempotencyKey("o1", "pm_a"));
        Assert.NotEqual(Payment.ChargeIdempotencyKey("o1", "pm_a"), Payment.ChargeIdempotencyKey("o1", "pm_b"));
        Assert.NotEqual(Payment.ChargeIdempotencyKey("o1", "pm_a"), Payment.ChargeIdempotencyKey("o2", "pm_a"));

        var (buyer, order) = await App.BuyerWithOrderAsync();
        Stripe.IntentDeclined(order.Id, "pm_card_chargeDeclined", NewIntentId());
        Stripe.IntentSucceeds(order.Id, NewIntentId());
        await PaymentsApp.PayAsync(buyer, order.Id, "pm_card_chargeDeclined");
        await PaymentsApp.PayAsync(buyer, order.Id, "pm_card_chargeDeclined");
        await PaymentsApp.PaidAsync(buyer, order.Id, "pm_card_visa");

        var keys = Stripe.IntentsFor(order.Id).Select(r => r.IdempotencyKey).ToList();
        Assert.Equal(3, keys.Count);
        Assert.Equal(keys[0], keys[1]);
        Assert.NotEqual(keys[0], keys[2]);
    }

    [Fact]
    public async Task Pay_WhenStripeDeclinesTheCard_Returns402WithStripesMessage_AndAnotherCardCanPay()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        var declinedIntent = NewIntentId();
        Stripe.IntentDeclined(order.Id, "pm_card_chargeDeclined", declinedIntent);
        var paidIntent = NewIntentId();
        Stripe.IntentSucceeds(order.Id, paidIntent);

        var declined = await PaymentsApp.PayAsync(buyer, order.Id, "pm_card_chargeDeclined");

        await declined.AssertProblemAsync(HttpStatusCode.PaymentRequired, (StripeStub.DeclineMessage, null));
        var failed = Assert.Single(await App.Payments.ListForOrderAsync(order.Id));
        Assert.Equal((PaymentStatus.Failed, declinedIntent), (failed.Status, failed.StripeId));
        var paid = await PaymentsApp.PaidAsync(buyer, order.Id, "pm_card_visa");
        Assert.Equal(paidIntent, paid.StripeId);
        Assert.Equal(2, Stripe.IntentsFor(order.Id).Count);
    }

    [Fact]
    public async Task Pay_WhenTheIntentRequiresAction_Returns402SayingAuthenticationIsNeeded_AndAnotherCardCanPay()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        var intentId = NewIntentId();
        Stripe.IntentRequiresAction(order.Id, "pm_card_authenticationRequired", intentId);
        Stripe.IntentSucceeds(order.Id, NewIntentId());

        var response = await PaymentsApp.PayAsync(buyer, order.Id, "pm_card_authenticationRequired");

        await response.AssertProblemAsync(HttpStatusCode.PaymentRequired, (PaymentProcessor.RequiresActionMessage, null));
        var attempt = Assert.Single(await App.Payments.ListForOrderAsync(order.Id));
        Assert.Equal((PaymentStatus.Failed, intentId), (attempt.Status, attempt.StripeId));
        await PaymentsApp.PaidAsync(buyer, order.Id, "pm_card_visa"); // another card can pay
    }

    [Fact]
    public async Task Pay_WithAPaymentMethodStripeDoesNotKnow_Returns400ForTheToken()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        Stripe.UnknownPaymentMethod(order.Id);

        var response = await PaymentsApp.PayAsync(buyer, order.Id, "pm_unknown");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("No such PaymentMethod: 'pm_unknown'", "token"));
    }

    [Fact]
    public async Task Pay_WhenStripeIsDown_Returns503_AndTheOrderCanBePaidLater()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        Stripe.IntentFailsWithServerError(order.Id);

        var response = await PaymentsApp.PayAsync(buyer, order.Id, "pm_card_visa");

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, (PaymentProcessor.UnavailableMessage, null));
        Assert.Equal(PaymentStatus.Failed, Assert.Single(await App.Payments.ListForOrderAsync(order.Id)).Status);
        Assert.Null(await App.Payments.GetForOrderAsync(order.Id));
    }

    [Fact]
    public async Task Pay_AfterItWasPaid_Returns400_WithoutAskingStripeAgain()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        Stripe.IntentSucceeds(order.Id, NewIntentId());
        await PaymentsApp.PaidAsync(buyer, order.Id, "pm_card_visa");

        var again = await PaymentsApp.PayAsync(buyer, order.Id, "pm_card_visa");

        await again.AssertProblemAsync(HttpStatusCode.BadRequest, ("Order is already paid", null));
        Assert.Single(Stripe.IntentsFor(order.Id));
    }

    [Fact]
    public async Task Pay_10ConcurrentRequestsForOneOrder_CallStripeOnce_StoreOnePayment_PublishOnePaymentCreated()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        var intentId = NewIntentId();
        Stripe.IntentSucceeds(order.Id, intentId, delayMs: 300); // the charge takes a while: every request overlaps it

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => PaymentsApp.PayAsync(buyer, order.Id, "pm_card_visa"))));

        var created = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r != created), r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Conflict, HttpStatusCode.BadRequest }));
        Assert.Single(Stripe.IntentsFor(order.Id));
        var payment = (await created.Content.ReadFromJsonAsync<PaymentResponse>())!;
        Assert.Equal(intentId, payment.StripeId);
        Assert.Equal(payment.Id, Assert.Single(await App.Payments.ListForOrderAsync(order.Id)).Id);
        await App.Events.WaitForAsync<PaymentCreatedV1>(e => e.OrderId == order.Id, "PaymentCreated");
        Assert.Single(await App.Events.AllAsync<PaymentCreatedV1>(), e => e.OrderId == order.Id);
    }

    [Fact]
    public async Task RefundRequested_DeliveredTwice_RefundsOnceThroughStripe_AndRecordsIt()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        var intentId = NewIntentId();
        Stripe.IntentSucceeds(order.Id, intentId);
        var refundId = $"re_{Guid.NewGuid():N}";
        Stripe.RefundSucceeds(intentId, refundId);
        var payment = await PaymentsApp.PaidAsync(buyer, order.Id, "pm_card_visa");
        var request = new OrderRefundRequestedV1(order.Id, payment.Id, intentId);

        await App.WaitHandledAsync<OrderRefundRequestedV1>(await App.PublishAsync(request));
        await App.WaitHandledAsync<OrderRefundRequestedV1>(await App.PublishAsync(request, messageId: $"{request.MessageId}:redelivered"));

        var refund = Assert.Single(Stripe.RefundsFor(intentId));
        Assert.Equal(intentId, refund.Field("payment_intent"));
        Assert.Equal($"ticketing-refund-{payment.Id}", refund.IdempotencyKey);
        var stored = (await App.Payments.GetAsync(payment.Id))!;
        Assert.Equal((refundId, "succeeded"), (stored.RefundId, stored.RefundStatus));
        Assert.NotNull(stored.RefundedAt);
        Assert.Empty(await App.Events.ParkedAsync());
    }

    [Fact]
    public async Task RefundRequested_ForAPaymentPaymentsNeverMade_IsParked_WithoutCallingStripe()
    {
        var intentId = NewIntentId();
        var request = new OrderRefundRequestedV1(Ticketing.Common.Storage.DocumentIds.New(), Ticketing.Common.Storage.DocumentIds.New(), intentId);

        await App.PublishAsync(request);

        await App.Events.WaitForParkedAsync(OrderRefundRequestedV1.Subject);
        Assert.Empty(Stripe.RefundsFor(intentId));
    }

    [Fact]
    public async Task Pay_NeverLogsTheTokenOrTheStripeKey()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        const string Canary = "pm_canary_5555555555554444";
        Stripe.IntentDeclined(order.Id, Canary, NewIntentId());
        Stripe.IntentSucceeds(order.Id, NewIntentId());

        await PaymentsApp.PayAsync(buyer, order.Id, Canary);
        await PaymentsApp.PaidAsync(buyer, order.Id, "tok_visa");

        Assert.Contains(App.LogEntries, l => l.Contains(order.Id, StringComparison.Ordinal));
        Assert.DoesNotContain(App.LogEntries, l => l.Contains(Canary, StringComparison.Ordinal)
                                                   || l.Contains("tok_visa", StringComparison.Ordinal)
                                                   || l.Contains(StripeStub.TestKey, StringComparison.Ordinal));
    }
}
