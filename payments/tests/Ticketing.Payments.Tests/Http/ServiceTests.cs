using System.Net;
using System.Text.Json;
using Ticketing.Common.Testing.Web;
using Ticketing.Payments.Tests.Infrastructure;

namespace Ticketing.Payments.Tests.Http;

/// <summary>What operations rely on: health probes, the OpenAPI document, and settings that stop a misconfigured service.</summary>
public sealed class ServiceTests(SimulatedPaymentsFixture fixture) : IClassFixture<SimulatedPaymentsFixture>
{
    [Fact]
    public void Handlers_AreExactlyItsConsumersInTheCatalogue_ThatProvisioningCreatesAndThePermissionFileGrants() =>
        fixture.App.AssertHandlersMatchTheConsumerCatalogue();

    [Fact]
    public async Task Health_WhenStorageAndNatsAnswer_IsLiveAndReady() =>
        await fixture.App.CreateAnonymousClient().AssertHealthyAsync("storage", "nats");

    [Fact]
    public async Task OpenApi_DescribesBothRoutes_WithEveryStatusTheyAnswer()
    {
        var body = await fixture.App.CreateAnonymousClient().GetStringAsync("/openapi/v1.json");

        using var json = JsonDocument.Parse(body);
        var paths = json.RootElement.GetProperty("paths");
        var pay = paths.GetProperty("/api/payments").GetProperty("post");
        Assert.Equal("CreatePayment", pay.GetProperty("operationId").GetString());
        Assert.Equal(["201", "400", "401", "402", "403", "404", "409", "503"], pay.GetProperty("responses").EnumerateObject().Select(p => p.Name).Order());
        var webhook = paths.GetProperty("/api/payments/webhook").GetProperty("post");
        Assert.Equal("StripeWebhook", webhook.GetProperty("operationId").GetString());
        Assert.Equal(["200", "400", "404", "429"], webhook.GetProperty("responses").EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task NeitherStripeKeyNorSimulated_StopsTheService_NamingTheSetting()
    {
        await using var factory = new PaymentsApp();
        factory.Settings["NATS_URL"] = "nats://127.0.0.1:1";

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("STRIPE_KEY", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("PAYMENTS_SIMULATED", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PAYMENTS_SIMULATED", "false")]
    [InlineData("STRIPE_KEY", "")]
    public async Task SimulatedOnlyWhenExplicitlyTrue(string setting, string value)
    {
        await using var factory = new PaymentsApp();
        factory.Settings["NATS_URL"] = "nats://127.0.0.1:1";
        factory.Settings[setting] = value;

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("STRIPE_KEY", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BothStripeKeyAndSimulated_StopsTheService_NamingTheSetting()
    {
        await using var factory = new PaymentsApp();
        factory.Settings["NATS_URL"] = "nats://127.0.0.1:1";
        factory.Settings["STRIPE_KEY"] = "sk_test_x";
        factory.Settings["PAYMENTS_SIMULATED"] = "true";

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("PAYMENTS_SIMULATED must not be true when STRIPE_KEY is set", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("STRIPE_API_BASE", "not a url")]
    [InlineData("PAYMENTS_WEBHOOK_RATE_LIMIT", "0")]
    public async Task InvalidSetting_StopsTheService_NamingIt(string setting, string value)
    {
        await using var factory = new PaymentsApp();
        factory.Settings["NATS_URL"] = "nats://127.0.0.1:1";
        factory.Settings["STRIPE_KEY"] = "sk_test_x";
        factory.Settings[setting] = value;

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(setting, error.ToString(), StringComparison.Ordinal);
    }
}
