using Ticketing.E2E.Tests.Platform;

namespace Ticketing.E2E.Tests;

/// <summary>
/// A process that dies (killed from the shell) or is stopped from the dashboard and started again loses nothing: the
/// embedded stores live under the data folder, JetStream keeps its stream there, and the durable consumers resume.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ServiceRestartTests(PlatformFixture platform)
{
    [SkippableFact]
    public async Task Services_WhenKilledAndRestarted_KeepUsersTicketsOrdersAndTheEventStream()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "finds and kills service processes through /proc");
        using var seller = await User.SignUpAsync(platform, "seller");
        using var buyer = await User.SignUpAsync(platform, "buyer");
        var kept = await seller.SellAsync("Before the crash", 30m);
        var order = await buyer.BuyAsync(kept.Id);
        await seller.TicketEventuallyAsync(kept.Id, t => t.OrderId == order.Id, "the ticket is reserved before the restarts");

        try
        {
            // From the shell: kill -9 the tickets service and nats-server, then start them again (as the dashboard's Start does).
            await KillAndStartAsync("tickets");
            await KillAndStartAsync("nats");
            // From the dashboard: Stop, then Start, the orders and auth services.
            await StopAndStartAsync("orders");
            await StopAndStartAsync("auth");
        }
        finally
        {
            // Whatever happened above, leave every process running for the tests that share this platform.
            await StartWhateverStoppedAsync();
        }

        // Everything written before is still there: sessions (the JWT key is kept), users, tickets, orders.
        Assert.Equal(seller.Email, await seller.CurrentUserEmailAsync());
        await seller.SignInAsync();
        Assert.Equal(order.Id, (await buyer.TicketAsync(kept.Id)).OrderId);
        Assert.Equal("created", (await buyer.OrderAsync(order.Id)).Status);

        // And events flow again across the restarted processes, both ways.
        await buyer.CancelAsync(order.Id);
        await seller.TicketEventuallyAsync(kept.Id, t => t.Status == "available", "the ticket is released after the restarts");
        var fresh = await seller.SellAsync("After the crash", 40m);
        var freshOrder = await buyer.BuyAsync(fresh.Id);
        await seller.TicketEventuallyAsync(fresh.Id, t => t.OrderId == freshOrder.Id, "a new ticket is reserved after the restarts");
    }

    private async Task KillAndStartAsync(string resource)
    {
        await platform.KillAsync(resource);
        await platform.StartAsync(resource);
    }

    private async Task StopAndStartAsync(string resource)
    {
        await platform.StopAsync(resource);
        await platform.StartAsync(resource);
    }

    private Task StartWhateverStoppedAsync() => platform.StartWhateverStoppedAsync();
}
