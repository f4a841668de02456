using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Processes;
using TempDirectory = Ticketing.Common.Testing.Processes.TempDirectory;

namespace Ticketing.E2E.Tests.Platform;

/// <summary>All whole-system tests share one running platform (started once per test run, not per test).</summary>
[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}

/// <summary>
/// The whole platform as <c>./run.sh</c> starts it (dev/Ticketing.AppHost: nats-server, every service, the gateway),
/// but with its data in a temp folder, the gateway on a free port and no dashboard. Tests talk to it only through
/// the gateway (<see cref="Gateway"/>). Every process it starts is stopped on dispose (DCP also stops them if this
/// test process dies). Each service's log is written to artifacts/e2e-logs/ for failure analysis.
/// </summary>
public class PlatformFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly TempDirectory _data = new("ticketing-e2e");
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, StringBuilder> _logs = new();
    private readonly List<Task> _logWatchers = [];
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The platform has not started.");

    /// <summary>The gateway, the platform's only entry point (the local ingress).</summary>
    public Uri Gateway { get; private set; } = null!;

    public string DataDirectory => _data.Path;

    public static string LogDirectory { get; } = Path.Combine(RepositoryRoot.Find(AppContext.BaseDirectory) ?? Path.GetTempPath(), "artifacts", "e2e-logs");

    /// <summary>Where this platform's process logs go (a platform with other settings keeps its own subfolder).</summary>
    protected virtual string LogFolder => LogDirectory;

    /// <summary>AppHost settings on top of the defaults (e.g. <c>--ORDER_EXPIRATION_WINDOW_SECONDS=8</c>).</summary>
    protected virtual IEnumerable<string> Settings => [];

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var port = FreePort.Next();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ticketing_AppHost>(
            // A temp data folder, a free gateway port, and the embedded stores even where MONGO_URI is set for other
            // tests: the platform under test never touches a developer's data.
            // Payments simulated (Stripe's test cards, no network) even where STRIPE_KEY is set for other purposes.
            [$"--Ticketing:DataDir={_data.Path}", $"--Ticketing:GatewayPort={port}", "--MONGO_URI=", "--STRIPE_KEY=", .. Settings],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.Services.AddLogging(logging => logging
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)   // the AppHost's polling, noisy while processes restart
            .AddFilter("Ticketing.AppHost.Resources", LogLevel.None)                      // every service's log: captured to files below instead
            .AddFilter("Aspire.Hosting", LogLevel.Warning));
        _app = await builder.BuildAsync(timeout.Token);
        Gateway = new Uri($"http://localhost:{port}");

        Directory.CreateDirectory(LogFolder);
        foreach (var old in Directory.GetFiles(LogFolder, "*.log"))
        {
            File.Delete(old);
        }

        _logWatchers.Add(CaptureAllLogsAsync(_app, _stop.Token));

        await _app.StartAsync(timeout.Token);
        try
        {
            await WaitUntilEveryServiceIsReadyAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or HttpRequestException)
        {
            throw new TimeoutException(
                $"The platform was not ready within {StartTimeout}. Gateway /health: {await LastHealthAsync()}\n{LogTails()}", e);
        }
    }

    /// <summary>A new HTTP client of the gateway with its own cookie jar (one per simulated user or browser).</summary>
    public HttpClient NewClient() => new(new SocketsHttpHandler
    {
        CookieContainer = new CookieContainer(),
        UseCookies = true,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    })
    {
        BaseAddress = Gateway,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>What a resource (auth, tickets, nats, ...) has logged so far, for failure messages.</summary>
    public string LogsOf(string resource) => _logs.TryGetValue(resource, out var log) ? Locked(log, l => l.ToString()) : string.Empty;

    /// <summary>The last lines each resource logged.</summary>
    public string LogTails(int lines = 15) => string.Join("\n", _logs.Keys.Order().Select(name =>
    {
        var tail = LogsOf(name).Split('\n').TakeLast(lines);
        return $"--- {name} ---\n{string.Join('\n', tail)}";
    }));

    /// <summary>Waits until the gateway's /health says every service is ready.</summary>
    public async Task WaitUntilEveryServiceIsReadyAsync(CancellationToken cancellationToken)
    {
        using var client = NewClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var response = await client.GetAsync("/health", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // The gateway is not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One slow answer while everything starts.
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_app is not null)
            {
                await _app.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));
                await _app.DisposeAsync();
            }
        }
        finally
        {
            _stop.Cancel();
            await Task.WhenAll(_logWatchers).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            foreach (var (name, log) in _logs.Where(l => l.Value.Length > 0))
            {
                await File.WriteAllTextAsync(Path.Combine(LogFolder, $"{name}.log"), Locked(log, l => l.ToString()));
            }

            _stop.Dispose();
            _data.Dispose();
        }
    }

    private async Task<string> LastHealthAsync()
    {
        try
        {
            using var client = NewClient();
            client.Timeout = TimeSpan.FromSeconds(5);
            return await client.GetStringAsync("/health");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"(no answer: {e.Message})";
        }
    }

    /// <summary>Follows every resource instance (by its DCP id, e.g. orders-abcd1234) and keeps its log under the resource's name.</summary>
    private async Task CaptureAllLogsAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var logger = app.Services.GetRequiredService<ResourceLoggerService>();
        var watched = new HashSet<string>(StringComparer.Ordinal);
        var watchers = new List<Task>();
        try
        {
            await foreach (var change in app.ResourceNotifications.WatchAsync(cancellationToken))
            {
                if (watched.Add(change.ResourceId))
                {
                    watchers.Add(CaptureLogsAsync(logger, change.ResourceId, change.Resource.Name, cancellationToken));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(watchers);
    }

    private async Task CaptureLogsAsync(ResourceLoggerService logger, string resourceId, string resource, CancellationToken cancellationToken)
    {
        var log = _logs.GetOrAdd(resource, _ => new StringBuilder());
        try
        {
            await foreach (var batch in logger.WatchAsync(resourceId).WithCancellation(cancellationToken))
            {
                Locked(log, l =>
                {
                    foreach (var line in batch)
                    {
                        if (l.Length < 2_000_000)
                        {
                            l.Append(line.IsErrorMessage ? "ERR " : string.Empty).AppendLine(line.Content);
                        }
                    }

                    return 0;
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static T Locked<T>(StringBuilder log, Func<StringBuilder, T> action)
    {
        lock (log)
        {
            return action(log);
        }
    }
}
