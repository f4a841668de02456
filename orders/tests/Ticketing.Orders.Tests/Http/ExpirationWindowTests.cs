using Ticketing.Common.Events;
using Ticketing.Orders.Tests.Infrastructure;

namespace Ticketing.Orders.Tests.Http;

/// <summary><c>expiresAt</c> is the service's clock plus ORDER_EXPIRATION_WINDOW_SECONDS (default 900), to the tick.</summary>
public sealed class ExpirationWindowTests
{
    [Theory]
    [InlineData(null, 900)]
    [InlineData("60", 60)]
    public async Task Create_ExpiresAtIsNowPlusTheWindow(string? setting, int expectedSeconds)
    {
        var clock = OrdersApp.NewClock();
        await using var app = new OrdersApp { OwnNats = true, Clock = clock };
        if (setting is not null)
        {
            app.Settings["ORDER_EXPIRATION_WINDOW_SECONDS"] = setting;
        }

        await app.StartAsync();
        clock.Advance(TimeSpan.FromMinutes(3)); // the service reads this clock, not the machine's
        var now = clock.GetUtcNow();

        var order = await app.PlaceOrderAsync(app.CreateSignedInClient(), (await app.SeedTicketAsync()).Id);

        Assert.Equal(now + TimeSpan.FromSeconds(expectedSeconds), order.ExpiresAt);
        var created = await app.WaitForEventAsync<OrderCreatedV1>(e => e.Id == order.Id, "OrderCreated");
        Assert.Equal(order.ExpiresAt, created.ExpiresAt);
    }
}
