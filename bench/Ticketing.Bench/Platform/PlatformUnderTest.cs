using NATS.Client.Core;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Bench.Platform;

/// <summary>
/// The running platform the bench drives: either started here exactly as <c>./run.sh</c> starts it (the built
/// dev/Ticketing.AppHost, which starts nats-server, redis-server, every service and the gateway through DCP), with its
/// data in a temp folder and the gateway on a free port, or an already running one attached to by its gateway URL.
/// It knows the gateway, each service's own address (from the gateway's <c>/health</c>), nats-server's URL and the
/// process id of every process, for their memory and CPU.
/// </summary>
public sealed class PlatformUnderTest : IAsyncDisposable
{
    private const string Marker = "TICKETING_PARENT_PID";
    private readonly Process? _appHost;
    private readonly TempDirectory? _data;
    private readonly StreamWriter? _appHostLog;

    private PlatformUnderTest(Uri gateway, Process? appHost, TempDirectory? data, StreamWriter? appHostLog)
    {
        Gateway = gateway;
        _appHost = appHost;
        _data = data;
        _appHostLog = appHostLog;
    }

    public Uri Gateway { get; }

    /// <summary>Each service's own base address (auth, tickets, orders, payments, expiration, client).</summary>
    public Dictionary<string, Uri> Services { get; } = new(StringComparer.Ordinal);

    public string NatsUrl { get; private set; } = "";

    /// <summary>The bench's identity on nats-server (its admin user; null for an open server).</summary>
    public NatsAuthOpts? NatsAuth { get; private set; }

    /// <summary>From launching the AppHost until the gateway's /health said every service is ready (null when attached).</summary>
    public double? StartupSeconds { get; private set; }

    /// <summary>When each service was first reported ready on the gateway's /health, seconds after launch.</summary>
    public Dictionary<string, double> ReadyAfterSeconds { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Every process of the platform by name (auth, tickets, ..., gateway, nats-server, redis-server, apphost, dcp, ...);
    /// a name with several processes (DCP runs one monitor per resource) lists them all.
    /// </summary>
    public Dictionary<string, List<int>> Processes { get; } = new(StringComparer.Ordinal);

    public bool Launched => _appHost is not null;

    public string? LogPath { get; private set; }

    /// <summary>Starts the built AppHost as ./run.sh does, waits until every service is ready, and finds its processes.</summary>
    public static async Task<PlatformUnderTest> LaunchAsync(IReadOnlyDictionary<string, string> settings, TextWriter log, TimeSpan timeout)
    {
        var root = RepositoryRoot.Path;
        var appHostDll = Path.Combine(root, "dev", "Ticketing.AppHost", "bin", "Release", "net10.0", "Ticketing.AppHost.dll");
        if (!File.Exists(appHostDll))
        {
            throw new InvalidOperationException($"{appHostDll} is missing: build first (dotnet build dev/Ticketing.AppHost -c Release, or the solution).");
        }

        var data = new TempDirectory("ticketing-bench");
        // The AppHost generates a password per NATS user and run unless one is given: the bench chooses the admin's.
        var natsAdminPassword = "b" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var port = FreePort.Next();
        var dashboard = FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { appHostDll },
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The environment ./run.sh gives the AppHost (the dashboard on free ports), plus the bench's settings; the
        // services inherit the AppHost's environment, so settings the AppHost does not pass on by name reach them too.
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TICKETING_DATA_DIR"] = data.Path,
            ["TICKETING_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            [Marker] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = $"http://localhost:{dashboard}",
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{FreePort.Next()}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{FreePort.Next()}",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
            ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
            ["DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
            ["NATS_SERVER_PATH"] = ChildProcess.Find("nats-server") ?? "nats-server",
            ["REDIS_SERVER_PATH"] = ChildProcess.Find("redis-server") ?? "redis-server",
            ["MONGO_URI"] = "",   // the embedded stores, never a developer's database
            ["STRIPE_KEY"] = "",  // the simulated payment gateway (test cards), no network
            ["Parameters__nats-admin-password"] = natsAdminPassword,
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var logPath = Path.Combine(data.Path, "apphost.log");
        var logWriter = new StreamWriter(logPath) { AutoFlush = true };
        var clock = Stopwatch.StartNew();
        var appHost = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        appHost.OutputDataReceived += (_, e) => Write(logWriter, e.Data);
        appHost.ErrorDataReceived += (_, e) => Write(logWriter, e.Data);
        appHost.BeginOutputReadLine();
        appHost.BeginErrorReadLine();

        var platform = new PlatformUnderTest(new Uri($"http://localhost:{port}"), appHost, data, logWriter)
        {
            LogPath = logPath,
            NatsAuth = BenchNats.Admin(natsAdminPassword),
        };
        try
        {
            log.WriteLine($"Starting the platform (AppHost, data in {data.Path}, gateway on :{port}) ...");
            await platform.WaitUntilReadyAsync(clock, timeout);
            platform.StartupSeconds = clock.Elapsed.TotalSeconds;
            platform.FindLaunchedProcesses();
            log.WriteLine($"Every service ready after {platform.StartupSeconds:F1} s; processes: {string.Join(", ", platform.Processes.Keys.Order())}");
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    /// <summary>Attaches to a running platform by its gateway; nats-server's URL must be given to measure events.</summary>
    public static async Task<PlatformUnderTest> AttachAsync(Uri gateway, string? natsUrl, string? natsAdminPassword, TextWriter log)
    {
        var platform = new PlatformUnderTest(gateway, null, null, null)
        {
            NatsAuth = natsAdminPassword is null ? null : BenchNats.Admin(natsAdminPassword),
        };
        await platform.WaitUntilReadyAsync(Stopwatch.StartNew(), TimeSpan.FromSeconds(30));
        platform.NatsUrl = natsUrl ?? "nats://127.0.0.1:4222";
        foreach (var (name, url) in platform.Services.Append(new("gateway", gateway)))
        {
            if (ProcFs.ListeningPid(url.Port) is { } pid)
            {
                platform.Processes[name] = [pid];
            }
        }

        if (new Uri(platform.NatsUrl).Port is var natsPort && ProcFs.ListeningPid(natsPort) is { } nats)
        {
            platform.Processes["nats-server"] = [nats];
        }

        log.WriteLine($"Attached to {gateway}; processes found on this machine: {string.Join(", ", platform.Processes.Keys.Order())}");
        return platform;
    }

    /// <summary>Polls the gateway's /health until it answers 200 (every service ready), noting when each service first was.</summary>
    private async Task WaitUntilReadyAsync(Stopwatch clock, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string last = "(no answer yet)";
        while (clock.Elapsed < timeout)
        {
            if (_appHost is { HasExited: true })
            {
                throw new InvalidOperationException($"The AppHost exited (code {_appHost.ExitCode}) before the platform was ready; see {LogPath}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Gateway, "/health"));
                last = await response.Content.ReadAsStringAsync();
                using var health = JsonDocument.Parse(last);
                foreach (var service in health.RootElement.GetProperty("services").EnumerateObject())
                {
                    if (service.Value.GetProperty("status").GetString() is "Healthy" or "Degraded")
                    {
                        ReadyAfterSeconds.TryAdd(service.Name, clock.Elapsed.TotalSeconds);
                        if (service.Value.TryGetProperty("url", out var url) && url.GetString() is { } ready)
                        {
                            Services[service.Name] = new Uri(new Uri(ready), "/");
                        }
                    }
                }

                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // Not listening yet, or a slow answer while everything starts.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The platform was not ready within {timeout}. Last /health: {last}");
    }

    /// <summary>Every process carrying this run's marker in its environment (DCP passes the AppHost's environment on).</summary>
    private void FindLaunchedProcesses()
    {
        var marker = $"{Marker}={Environment.ProcessId}";
        Processes["apphost"] = [_appHost!.Id];
        var ours = ProcFs.AllPids().Where(p => p != Environment.ProcessId && p != _appHost.Id && ProcFs.HasEnvironment(p, marker)).ToHashSet();
        // A child whose environment no longer shows the marker (redis-server rewrites that memory for its process title)
        // is still found as a child of one of ours.
        ours.UnionWith(ProcFs.AllPids().Where(p => !ours.Contains(p) && ProcFs.ParentOf(p) is { } parent && (ours.Contains(parent) || parent == _appHost.Id)));
        foreach (var pid in ours)
        {
            var command = ProcFs.CommandLine(pid);
            var name = NameOf(command);
            if (name is null)
            {
                continue;
            }

            if (Processes.TryGetValue(name, out var pids))
            {
                pids.Add(pid);
            }
            else
            {
                Processes[name] = [pid];
            }

            if (name == "nats-server" && Array.IndexOf(command, "-p") is var p and >= 0 && p + 1 < command.Length)
            {
                NatsUrl = $"nats://127.0.0.1:{command[p + 1]}";
            }
        }

        if (NatsUrl.Length == 0)
        {
            throw new InvalidOperationException("nats-server of the launched platform was not found among its processes.");
        }
    }

    private static string? NameOf(string[] command)
    {
        if (command.Length == 0)
        {
            return null;
        }

        var program = Path.GetFileName(command[0].Split(' ')[0]); // redis-server's title is "redis-server 127.0.0.1:port"
        if (program is "nats-server" or "redis-server" or "dcp")
        {
            return program;
        }

        var dll = command.Select(Path.GetFileName).FirstOrDefault(a => a!.EndsWith(".dll", StringComparison.Ordinal));
        return dll switch
        {
            null => program,
            _ when dll.StartsWith("Ticketing.", StringComparison.Ordinal) => dll["Ticketing.".Length..^".dll".Length].ToLowerInvariant(),
            _ when dll.Contains("Dashboard", StringComparison.Ordinal) => "aspire-dashboard",
            _ => Path.GetFileNameWithoutExtension(dll),
        };
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The last lines after the bench stopped listening.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_appHost is not null)
        {
            // SIGTERM: the AppHost stops DCP and waits until every process it started has exited (as ./run.sh stops it).
            if (!_appHost.HasExited)
            {
                _ = SendSignal(_appHost.Id, 15);
                try
                {
                    await _appHost.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (TimeoutException)
                {
                    _appHost.Kill(entireProcessTree: true);
                }
            }

            // Anything of this run still alive (it carries the marker) is killed, as ./run.sh does.
            var marker = $"{Marker}={Environment.ProcessId}";
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var left = ProcFs.AllPids().Where(p => p != Environment.ProcessId && ProcFs.HasEnvironment(p, marker)).ToList();
                if (left.Count == 0)
                {
                    break;
                }

                if (attempt >= 25)
                {
                    left.ForEach(p => SendSignal(p, 9));
                }

                await Task.Delay(200);
            }

            _appHost.Dispose();
        }

        if (_appHostLog is not null)
        {
            lock (_appHostLog)
            {
                _appHostLog.Dispose();
            }
        }

        _data?.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
