using System.Net;
using Ticketing.E2E.Tests.Platform;

namespace Ticketing.E2E.Tests;

/// <summary>
/// The platform as <see cref="PlatformFixture"/> starts it, but with an 8-second payment window, so that orders expire
/// while a test watches. A platform of its own: the other stories hold reservations for longer than that.
/// </summary>
public sealed class ShortWindowPlatformFixture : PlatformFixture
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(8);

    protected override IEnumerable<string> Settings => [$"--ORDER_EXPIRATION_WINDOW_SECONDS={Window.TotalSeconds:0}"];

    protected override string LogFolder => Path.Combine(LogDirectory, "short-window");
}

[CollectionDefinition(Name)]
public sealed class ShortWindowCollection : ICollectionFixture<ShortWindowPlatformFixture>
{
    public const string Name = "short payment window";
}

/// <summary>
/// Expiration end to end through the gateway: an order nobody pays expires at its expiresAt (the expiration service's
/// Hangfire job publishes ExpirationCompleted, orders cancels the order and publishes OrderCancelled, tickets releases
/// the ticket), never before; the ticket can be bought again. The jobs' dashboard is not reachable through the gateway.
/// </summary>
[Collection(ShortWindowCollection.Name)]
public sealed class ExpirationStoryTests(ShortWindowPlatformFixture platform)
{
    [Fact]
    public async Task Order_WhenLeftToExpire_IsCancelled_AndTheTicketIsListedAgain()
    {
        using var seller = await User.SignUpAsync(platform, "seller");
        var ticket = await seller.SellAsync("Matinee, row F", 35m);
        using var buyer = await User.SignUpAsync(platform, "buyer");
        using var visitor = User.Anonymous(platform);

        // Buy: the order holds the ticket for the (short) window.
        var before = DateTimeOffset.UtcNow;
        var order = await buyer.BuyAsync(ticket.Id);
        Assert.InRange(order.ExpiresAt - before, ShortWindowPlatformFixture.Window - TimeSpan.FromSeconds(2), ShortWindowPlatformFixture.Window + TimeSpan.FromSeconds(2));
        await visitor.TicketEventuallyAsync(ticket.Id, t => t.Status == "reserved" && t.OrderId == order.Id, "the ticket is reserved");

        // Nobody pays: at expiresAt the order is cancelled, never before.
        OrderDto? seen = null;
        await Ticketing.Common.Testing.Eventually.TrueAsync(
            async () => (seen = await buyer.OrderAsync(order.Id)).Status != "created",
            "the unpaid order to expire", ShortWindowPlatformFixture.Window + User.EventualTimeout);
        var noticed = DateTimeOffset.UtcNow;
        Assert.Equal("cancelled", seen!.Status);
        Assert.True(noticed >= order.ExpiresAt, $"the order was cancelled {(order.ExpiresAt - noticed).TotalMilliseconds:0} ms before its expiresAt");

        // Its ticket is available and listed again, and someone else can buy it.
        var released = await visitor.TicketEventuallyAsync(ticket.Id, t => t.Status == "available", "the ticket is released");
        Assert.Null(released.OrderId);
        Assert.Contains(await visitor.ListedTicketsAsync(), t => t.Id == ticket.Id);
        using var second = await User.SignUpAsync(platform, "second-buyer");
        var again = await second.BuyAsync(ticket.Id);
        await visitor.TicketEventuallyAsync(ticket.Id, t => t.Status == "reserved" && t.OrderId == again.Id, "the ticket is reserved by the second buyer");

        // A cancelled order stays cancelled: cancelling it is 204 with nothing new.
        await buyer.CancelAsync(order.Id);
        Assert.Equal("cancelled", (await buyer.OrderAsync(order.Id)).Status);
    }

    [Fact]
    public async Task JobsDashboard_IsServedLocallyByExpiration_NotThroughTheGateway()
    {
        using var visitor = User.Anonymous(platform);

        using var routed = await visitor.Http.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.NotFound, routed.StatusCode);

        // The gateway's /health says where expiration listens; a local browser opens its dashboard there.
        using var health = System.Text.Json.JsonDocument.Parse(await visitor.Http.GetStringAsync("/health"));
        var ready = new Uri(health.RootElement.GetProperty("services").GetProperty("expiration").GetProperty("url").GetString()!);
        using var local = new HttpClient();
        using var dashboard = await local.GetAsync(new Uri(ready, "/hangfire"));
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Ticketing expiration jobs", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
