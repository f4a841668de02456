using System.Net;
using System.Net.Http.Json;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Web;
using Ticketing.Payments.Domain;
using Ticketing.Payments.Endpoints;
using Ticketing.Payments.Gateways;
using Ticketing.Payments.Tests.Infrastructure;

namespace Ticketing.Payments.Tests.Http;

/// <summary>
/// POST /api/payments, every row of the contract, with the simulated gateway (Stripe's test tokens): what does not
/// depend on Stripe's wire format. <see cref="PayWithStripeTests"/> checks the same against Stripe.net and WireMock.
/// </summary>
public sealed class PayTests(SimulatedPaymentsFixture fixture) : IClassFixture<SimulatedPaymentsFixture>
{
    private PaymentsApp App => fixture.App;

    [Fact]
    public async Task Pay_WhenSignedOut_Returns401()
    {
        var (_, order) = await App.BuyerWithOrderAsync();

        var response = await PaymentsApp.PayAsync(App.CreateAnonymousClient(), order.Id);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ("Not authorized", null));
    }

    [Fact]
    public async Task Pay_WithoutTokenOrOrderId_Returns400ForEachField_TokenFirst()
    {
        var client = App.CreateSignedInClient(out _);

        var response = await client.PostAsJsonAsync("/api/payments", new { });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Token is required", "token"), ("OrderId is required", "orderId"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Pay_WithBlankToken_Returns400(string token)
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();

        var response = await PaymentsApp.PayAsync(buyer, order.Id, token);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Token is required", "token"));
    }

    [Fact]
    public async Task Pay_WithoutOrderId_Returns400()
    {
        var client = App.CreateSignedInClient(out _);

        var response = await client.PostAsJsonAsync("/api/payments", new { token = "tok_visa" });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("OrderId is required", "orderId"));
    }

    [Fact]
    public async Task Pay_WithANumberForToken_Returns400NamingTheField()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();

        var response = await buyer.PostAsJsonAsync("/api/payments", new { orderId = order.Id, token = 42 });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Invalid value for 'token'", "token"));
    }

    [Theory]
    [InlineData("000000000000000000000000")]
    [InlineData("not-an-id")]
    public async Task Pay_UnknownOrMalformedOrder_Returns404(string orderId)
    {
        var client = App.CreateSignedInClient(out _);

        var response = await PaymentsApp.PayAsync(client, orderId);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ("Not Found", null));
    }

    [Fact]
    public async Task Pay_OrderWhoseOrderCreatedHasNotArrived_Returns404()
    {
        var client = App.CreateSignedInClient(out _);
        var order = OrderReplica.StatusOnly(DocumentIds.New(), 1, OrderStatus.Cancelled, DocumentIds.New());
        await App.Orders.AddAsync(order);

        var response = await PaymentsApp.PayAsync(client, order.Id);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ("Not Found", null));
    }

    [Fact]
    public async Task Pay_SomeoneElsesOrder_Returns403_AndChargesNothing()
    {
        var (_, order) = await App.BuyerWithOrderAsync();
        var stranger = App.CreateSignedInClient(out _);

        var response = await PaymentsApp.PayAsync(stranger, order.Id);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, ("Forbidden", null));
        Assert.Empty(await App.Payments.ListForOrderAsync(order.Id));
    }

    [Fact]
    public async Task Pay_CancelledOrder_Returns400()
    {
        var client = App.CreateSignedInClient(out var userId);
        var order = await App.SeedOrderAsync(userId, status: OrderStatus.Cancelled, version: 1);

        var response = await PaymentsApp.PayAsync(client, order.Id);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Cannot pay for a cancelled order", null));
        Assert.Empty(await App.Payments.ListForOrderAsync(order.Id));
    }

    [Fact]
    public async Task Pay_CompletedOrder_Returns400AlreadyPaid()
    {
        var client = App.CreateSignedInClient(out var userId);
        var order = await App.SeedOrderAsync(userId, status: OrderStatus.Complete, version: 1);

        var response = await PaymentsApp.PayAsync(client, order.Id);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Order is already paid", null));
    }

    [Theory]
    [InlineData("tok_visa")]
    [InlineData("pm_card_visa")]
    public async Task Pay_WithASucceedingTestCard_Returns201_StoresThePayment_AndPublishesPaymentCreated(string token)
    {
        var (buyer, order) = await App.BuyerWithOrderAsync(19.99m);

        var response = await PaymentsApp.PayAsync(buyer, order.Id, token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(["id", "orderId", "stripeId"], System.Text.Json.JsonDocument.Parse(body).RootElement.EnumerateObject().Select(p => p.Name));
        var payment = System.Text.Json.JsonSerializer.Deserialize<PaymentResponse>(body, System.Text.Json.JsonSerializerOptions.Web)!;
        Assert.Equal(order.Id, payment.OrderId);
        Assert.StartsWith("pi_", payment.StripeId, StringComparison.Ordinal);
        Assert.Equal($"/api/payments/{payment.Id}", response.Headers.Location?.OriginalString);

        var stored = Assert.Single(await App.Payments.ListForOrderAsync(order.Id));
        Assert.Equal((payment.Id, PaymentStatus.Succeeded, payment.StripeId, 19.99m, "usd"), (stored.Id, stored.Status, stored.StripeId, stored.Amount, stored.Currency));
        var published = await App.Events.WaitForAsync<PaymentCreatedV1>(e => e.OrderId == order.Id, "PaymentCreated");
        Assert.Equal(new PaymentCreatedV1(payment.Id, order.Id, payment.StripeId), published);
    }

    [Theory]
    [InlineData("tok_chargeDeclined")]
    [InlineData("pm_card_chargeDeclined")]
    public async Task Pay_WithADecliningTestCard_Returns402WithStripesMessage_AndTheOrderCanStillBePaid(string token)
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();

        var declined = await PaymentsApp.PayAsync(buyer, order.Id, token);

        await declined.AssertProblemAsync(HttpStatusCode.PaymentRequired, (SimulatedPaymentGateway.DeclinedMessage, null));
        Assert.Equal("Your card was declined.", SimulatedPaymentGateway.DeclinedMessage);
        var paid = await PaymentsApp.PaidAsync(buyer, order.Id, "tok_visa");
        Assert.Equal(order.Id, paid.OrderId);
        var attempts = await App.Payments.ListForOrderAsync(order.Id);
        Assert.Equal([PaymentStatus.Failed, PaymentStatus.Succeeded], attempts.Select(p => p.Status));
        Assert.Single(await App.Events.AllAsync<PaymentCreatedV1>(), e => e.OrderId == order.Id);
    }

    [Fact]
    public async Task Pay_WhenTheCardNeedsAuthentication_Returns402SayingSo()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();

        var response = await PaymentsApp.PayAsync(buyer, order.Id, "pm_card_authenticationRequired");

        await response.AssertProblemAsync(HttpStatusCode.PaymentRequired, (PaymentProcessor.RequiresActionMessage, null));
        Assert.Contains("authentication", PaymentProcessor.RequiresActionMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pay_WithAnUnknownToken_Returns400ForTheToken()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();

        var response = await PaymentsApp.PayAsync(buyer, order.Id, "pm_nobody_knows");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("token", Assert.Single(problem.Errors()).Field);
    }

    [Fact]
    public async Task Pay_Twice_SecondReturns400AlreadyPaid_AndPublishesNothingMore()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        await PaymentsApp.PaidAsync(buyer, order.Id);

        var again = await PaymentsApp.PayAsync(buyer, order.Id, "pm_card_visa");

        await again.AssertProblemAsync(HttpStatusCode.BadRequest, ("Order is already paid", null));
        Assert.Single(await App.Payments.ListForOrderAsync(order.Id));
        await App.Events.WaitForAsync<PaymentCreatedV1>(e => e.OrderId == order.Id, "PaymentCreated");
        Assert.Single(await App.Events.AllAsync<PaymentCreatedV1>(), e => e.OrderId == order.Id);
    }

    [Fact]
    public async Task Pay_10ConcurrentRequestsForOneOrder_StoreOnePayment_AndPublishOnePaymentCreated()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => PaymentsApp.PayAsync(buyer, order.Id))));

        var created = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r != created), r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Conflict }));
        var payment = (await created.Content.ReadFromJsonAsync<PaymentResponse>())!;
        Assert.Equal(payment.Id, Assert.Single(await App.Payments.ListForOrderAsync(order.Id)).Id);
        await App.Events.WaitForAsync<PaymentCreatedV1>(e => e.OrderId == order.Id, "PaymentCreated");
        Assert.Single(await App.Events.AllAsync<PaymentCreatedV1>(), e => e.OrderId == order.Id);
    }

    [Fact]
    public async Task Pay_NeverLogsTheToken()
    {
        var (buyer, order) = await App.BuyerWithOrderAsync();
        const string Canary = "pm_canary_4242424242424242";

        await PaymentsApp.PayAsync(buyer, order.Id, Canary);
        await PaymentsApp.PayAsync(buyer, order.Id, "tok_chargeDeclined");
        await PaymentsApp.PaidAsync(buyer, order.Id, "tok_visa");

        Assert.NotEmpty(App.LogEntries);
        Assert.Contains(App.LogEntries, l => l.Contains(order.Id, StringComparison.Ordinal));
        Assert.DoesNotContain(App.LogEntries, l => l.Contains(Canary, StringComparison.Ordinal) || l.Contains("tok_", StringComparison.Ordinal));
    }
}
