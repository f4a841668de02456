using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ticketing.E2E.Tests.Platform;

/// <summary>
/// Stopping, killing and starting the platform's processes (nats, redis, auth, tickets, ...) as a developer would from
/// the shell (<c>kill -9</c>) or the dashboard (Stop, Start), and where each one listens. Every step waits for the
/// state it caused; nothing sleeps for a fixed time.
/// </summary>
public static class PlatformProcesses
{
    public static readonly TimeSpan RestartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Every process the platform runs besides the gateway and the web client.</summary>
    public static readonly string[] Resources = ["nats", "redis", "auth", "tickets", "orders", "expiration", "payments"];

    extension(PlatformFixture platform)
    {
        /// <summary>
        /// SIGKILL the resource's process (no graceful shutdown, as <c>kill -9</c>) and waits until the platform sees it
        /// gone. Returns the pid killed.
        /// </summary>
        public async Task<int> KillAsync(string resource)
        {
            using var timeout = new CancellationTokenSource(RestartTimeout);
            var notifications = platform.App.ResourceNotifications;
            var running = await notifications.WaitForResourceAsync(resource, e => ProcessId(e) is not null, timeout.Token);
            var pid = ProcessId(running)!.Value;

            // Services run as executables (decision 0007); should a launcher sit in between, kill its child: the process itself.
            var target = ChildOf(pid) ?? pid;
            using (var process = Process.GetProcessById(target))
            {
                process.Kill(); // SIGKILL on Linux
            }

            await notifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, timeout.Token);
            return target;
        }

        /// <summary>Stop from the dashboard (a graceful stop), and wait until it has stopped.</summary>
        public async Task StopAsync(string resource)
        {
            using var timeout = new CancellationTokenSource(RestartTimeout);
            var stopped = await platform.App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, timeout.Token);
            Assert.True(stopped.Success, $"stop {resource}: {stopped.Message}");
            await platform.App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, timeout.Token);
        }

        /// <summary>Start from the dashboard, and wait until the resource is healthy (for a service: ready).</summary>
        public async Task StartAsync(string resource)
        {
            using var timeout = new CancellationTokenSource(RestartTimeout);
            var started = await platform.App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, timeout.Token);
            Assert.True(started.Success, $"start {resource}: {started.Message}\n{platform.LogTails()}");
            await platform.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        /// <summary>Starts whatever of <see cref="Resources"/> is stopped (a test's cleanup, so the tests after it find everything running) and waits until every service is ready.</summary>
        public async Task StartWhateverStoppedAsync()
        {
            foreach (var resource in Resources)
            {
                if (platform.App.ResourceNotifications.TryGetCurrentState(resource, out var current)
                    && KnownResourceStates.TerminalStates.Contains(current.Snapshot.State?.Text))
                {
                    await platform.App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand);
                }
            }

            using var ready = new CancellationTokenSource(RestartTimeout);
            await platform.WaitUntilEveryServiceIsReadyAsync(ready.Token);
        }

        /// <summary>nats-server's client URL (for the tests' own NATS connection: see <c>Faults/PlatformNats</c>).</summary>
        public string NatsUrl => $"nats://127.0.0.1:{platform.App.GetEndpoint("nats", "tcp").Port}";

        /// <summary>
        /// The password the AppHost generated for this run's NATS <c>admin</c> user (the identity of the provisioning
        /// step, and of the tests' operator connection: nats-server loads infra/nats/auth.conf, so nothing connects
        /// anonymously).
        /// </summary>
        public string NatsAdminPassword =>
            platform.App.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Parameters:nats-admin-password"]
            ?? throw new InvalidOperationException("The AppHost generated no password for the NATS admin user (Parameters:nats-admin-password).");

        /// <summary>Where a service listens itself (not through the gateway): for its /health/ready.</summary>
        public Uri ServiceUrl(string service) => platform.App.GetEndpoint(service, "http");

        /// <summary>
        /// The description of one readiness check of a service (e.g. <c>outbox</c>: "empty" or "oldest unpublished event
        /// N s old"), or null when the service does not answer.
        /// </summary>
        public async Task<string?> ReadinessCheckAsync(string service, string check)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            try
            {
                using var response = await client.GetAsync(new Uri(platform.ServiceUrl(service), "/health/ready"));
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return body.RootElement.GetProperty("checks").TryGetProperty(check, out var entry)
                    ? entry.GetProperty("description").GetString()
                    : null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                return null;
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
