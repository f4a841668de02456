using System.Net;
using System.Text.Json;
using Ticketing.Common.Testing.Web;
using Ticketing.Orders.Tests.Infrastructure;

namespace Ticketing.Orders.Tests.Http;

/// <summary>What operations rely on: health probes, the OpenAPI document, and settings that stop a misconfigured service.</summary>
public sealed class ServiceTests(OrdersAppFixture fixture) : IClassFixture<OrdersAppFixture>
{
    [Fact]
    public void Handlers_AreExactlyItsConsumersInTheCatalogue_ThatProvisioningCreatesAndThePermissionFileGrants() =>
        fixture.App.AssertHandlersMatchTheConsumerCatalogue();

    [Fact]
    public async Task Health_WhenStorageAndNatsAnswer_IsLiveAndReady() =>
        await fixture.App.CreateAnonymousClient().AssertHealthyAsync("storage", "nats");

    [Fact]
    public async Task OpenApi_DescribesEveryOrderRoute()
    {
        var body = await fixture.App.CreateAnonymousClient().GetStringAsync("/openapi/v1.json");

        using var json = JsonDocument.Parse(body);
        var paths = json.RootElement.GetProperty("paths");
        Assert.Equal(["post", "get"], paths.GetProperty("/api/orders").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["get", "delete"], paths.GetProperty("/api/orders/{id}").EnumerateObject().Select(p => p.Name));
        var operationIds = body.Split('"').Where(s => s is "CreateOrder" or "ListOrders" or "GetOrder" or "CancelOrder").Distinct();
        Assert.Equal(4, operationIds.Count());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("86401")]
    [InlineData("fifteen minutes")]
    public async Task InvalidExpirationWindow_StopsTheService_NamingTheSetting(string value)
    {
        await using var factory = new OrdersApp();
        factory.Settings["NATS_URL"] = "nats://127.0.0.1:1";
        factory.Settings["ORDER_EXPIRATION_WINDOW_SECONDS"] = value;

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("ORDER_EXPIRATION_WINDOW_SECONDS", error.ToString(), StringComparison.Ordinal);
    }
}
