using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Ticketing.E2E.Tests.Platform;

namespace Ticketing.E2E.Tests;

/// <summary>
/// A process that dies (killed from the shell) or is stopped from the dashboard and started again loses nothing: the
/// embedded stores live under the data folder, JetStream keeps its stream there, and the durable consumers resume.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ServiceRestartTests(PlatformFixture platform)
{
    private static readonly TimeSpan RestartTimeout = TimeSpan.FromSeconds(90);

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

        using (var ready = new CancellationTokenSource(RestartTimeout))
        {
            await platform.WaitUntilEveryServiceIsReadyAsync(ready.Token);
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
        using var timeout = new CancellationTokenSource(RestartTimeout);
        var notifications = platform.App.ResourceNotifications;
        var running = await notifications.WaitForResourceAsync(resource, e => ProcessId(e) is not null, timeout.Token);
        var pid = ProcessId(running)!.Value;

        // Services run as executables (decision 0007); should a launcher sit in between, kill its child: the service itself, as a user would.
        var target = ChildOf(pid) ?? pid;
        using (var process = Process.GetProcessById(target))
        {
            process.Kill();
        }

        await notifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, timeout.Token);
        await StartAsync(resource, timeout.Token);
    }

    private async Task StopAndStartAsync(string resource)
    {
        using var timeout = new CancellationTokenSource(RestartTimeout);
        var stopped = await platform.App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, timeout.Token);
        Assert.True(stopped.Success, $"stop {resource}: {stopped.Message}");
        await platform.App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, timeout.Token);
        await StartAsync(resource, timeout.Token);
    }

    private async Task StartAsync(string resource, CancellationToken cancellationToken)
    {
        var started = await platform.App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cancellationToken);
        Assert.True(started.Success, $"start {resource}: {started.Message}\n{platform.LogTails()}");
        await platform.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
    }

    private async Task StartWhateverStoppedAsync()
    {
        foreach (var resource in new[] { "nats", "auth", "tickets", "orders" })
        {
            if (platform.App.ResourceNotifications.TryGetCurrentState(resource, out var current)
                && KnownResourceStates.TerminalStates.Contains(current.Snapshot.State?.Text))
            {
                await platform.App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand);
            }
        }
    }

    private static int? ProcessId(ResourceEvent e) =>
        e.Snapshot.State?.Text == KnownResourceStates.Running
        && e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
        && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out var pid)
            ? pid
            : null;

    /// <summary>The first child process of <paramref name="pid"/> (Linux /proc), or null.</summary>
    private static int? ChildOf(int pid)
    {
        var children = Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "task", pid.ToString(CultureInfo.InvariantCulture), "children");
        return File.Exists(children) && File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var first, ..]
            ? int.Parse(first, CultureInfo.InvariantCulture)
            : null;
    }
}
