using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Ticketing.AppHost;

/// <summary>
/// The local run's shared pieces, so that each service in Program.cs is one short block: where data lives
/// (<c>.data/</c>, or <c>TICKETING_DATA_DIR</c>), the one JWT key every service shares (kept in <c>.data/jwt.key</c>,
/// never committed), nats-server and redis-server as plain executables (no Docker), every API service with its
/// embedded store in <c>.data/&lt;service&gt;</c>, and the gateway on its fixed port (<c>TICKETING_PORT</c>, 8080).
/// </summary>
/// <remarks>
/// Every endpoint is proxyless (the process itself listens; no DCP proxy in between) on a port picked here: the
/// gateway's is fixed, the others are free ports found at start. A process restarted from the dashboard gets the
/// same port and the same data folder back.
/// </remarks>
public sealed class LocalPlatform
{
    /// <summary>Settings every API service takes from the environment of <c>./run.sh</c> when they are set there.</summary>
    private static readonly string[] CommonPassThrough = ["MONGO_URI", "JWT_ISSUER", "JWT_AUDIENCE", "NATS_MAX_DELIVER"];

    private readonly IDistributedApplicationBuilder _builder;
    private readonly List<IResourceBuilder<ExecutableResource>> _services = [];
    private readonly IResourceBuilder<ParameterResource> _jwtKey;

    public LocalPlatform(IDistributedApplicationBuilder builder)
    {
        _builder = builder;
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));
        DataDirectory = Path.GetFullPath(Setting("Ticketing:DataDir", "TICKETING_DATA_DIR") ?? Path.Combine(repositoryRoot, ".data"));
        Directory.CreateDirectory(DataDirectory);
        GatewayPort = int.TryParse(Setting("Ticketing:GatewayPort", "TICKETING_PORT"), out var port) && port is > 0 and < 65536 ? port : 8080;

        // The key is a secret parameter so the dashboard masks it.
        builder.Configuration["Parameters:jwt-key"] = LoadOrCreateJwtKey();
        _jwtKey = builder.AddParameter("jwt-key", secret: true);

        // On shutdown, wait until DCP has stopped every process (nats-server, services, ...) before exiting, so that
        // "the AppHost has exited" means "nothing of this run is left" (./run.sh and the e2e tests rely on it).
        builder.Configuration["DcpPublisher:WaitForResourceCleanup"] ??= "true";

        // ./run.sh passes its own pid: if it disappears without stopping us (kill -9), stop everything rather than linger.
        if (int.TryParse(Setting("Ticketing:ParentPid", "TICKETING_PARENT_PID"), out var parent))
        {
            builder.Services.AddHostedService(services => new ParentProcessWatch(parent, services.GetRequiredService<IHostApplicationLifetime>()));
        }
    }

    /// <summary>Where every process keeps its data: <c>&lt;repository&gt;/.data</c> unless configured (tests use a temp folder).</summary>
    public string DataDirectory { get; }

    /// <summary>The gateway's fixed port: <c>TICKETING_PORT</c> (or <c>Ticketing:GatewayPort</c>), default 8080.</summary>
    public int GatewayPort { get; }

    /// <summary>A value from the AppHost's configuration (command line, appsettings) or its environment.</summary>
    public string? Setting(string key, string? environmentVariable = null)
    {
        var value = _builder.Configuration[key];
        if (string.IsNullOrWhiteSpace(value) && environmentVariable is not null)
        {
            value = _builder.Configuration[environmentVariable] ?? Environment.GetEnvironmentVariable(environmentVariable);
        }

        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>
    /// nats-server with JetStream, its store in <c>.data/nats</c>, healthy once its monitor says so; it loads the
    /// permission file every environment uses (<c>infra/nats/auth.conf</c>) with a random password per user for this
    /// run (secret parameters <c>nats-&lt;user&gt;-password</c>, given to nats-server and to each service as
    /// <c>NATS_PASSWORD</c>). Then <c>nats-provision</c> (<c>ticketing nats provision</c> as admin) creates the
    /// streams, durable consumers and the revoked-sessions bucket; <see cref="LocalPlatformExtensions.WithNats"/> makes
    /// each service wait for it to complete.
    /// </summary>
    public IResourceBuilder<ExecutableResource> AddNats()
    {
        var program = FindProgram("nats-server", "NATS_SERVER_PATH");
        var store = DataFolder("nats");
        var port = FreePort();
        var monitorPort = FreePort();
        var permissionFile = Path.Combine(RepositoryRoot, "infra", "nats", "auth.conf");
        var nats = _builder.AddExecutable("nats", program, store,
                "-c", permissionFile,
                "-js", "-a", "127.0.0.1", "-p", Invariant(port), "-m", Invariant(monitorPort), "-sd", store, "-n", "ticketing-local")
            .WithEndpoint(port: port, scheme: "nats", name: "tcp", isProxied: false)
            .WithHttpEndpoint(port: monitorPort, name: "monitor", isProxied: false)
            .WithHttpHealthCheck("/healthz", endpointName: "monitor");
        foreach (var user in NatsUsers(permissionFile))
        {
            // A new password per user and run, unless one is given (Parameters__nats-<user>-password: the bench chooses the
            // admin's to read the streams). Letters and digits only: nats-server reads the variable as a configuration
            // value (a number would not do).
            _builder.Configuration[$"Parameters:{NatsPasswordParameter(user)}"] ??= "n" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
            nats.WithEnvironment($"NATS_{user.ToUpperInvariant()}_PASSWORD", _builder.AddParameter(NatsPasswordParameter(user), secret: true));
        }

        var cli = new Projects.Ticketing_Cli().ProjectPath;
        var cliAssembly = Path.Combine(Path.GetDirectoryName(cli)!, "bin", BuildConfiguration, TargetFramework, "ticketing.dll");
        _builder.AddExecutable(NatsProvisionResource, "dotnet", Path.GetDirectoryName(cli)!, cliAssembly, "nats", "provision")
            .WithEnvironment("NATS_URL", ReferenceExpression.Create($"nats://127.0.0.1:{nats.GetEndpoint("tcp").Property(EndpointProperty.Port)}"))
            .WithEnvironment("NATS_USER", "admin")
            .WithEnvironment("NATS_PASSWORD", _builder.CreateResourceBuilder(NatsPassword(_builder, "admin")))
            .WithSetting("NATS_ACK_WAIT_MS")
            .WaitFor(nats);
        return nats;
    }

    /// <summary>The resource that provisions NATS (runs once per start, then exits).</summary>
    public const string NatsProvisionResource = "nats-provision";

    internal static string NatsPasswordParameter(string user) => $"nats-{user}-password";

    internal static ParameterResource NatsPassword(IDistributedApplicationBuilder builder, string user) =>
        builder.Resources.OfType<ParameterResource>().SingleOrDefault(p => p.Name == NatsPasswordParameter(user))
        ?? throw new DistributedApplicationException($"infra/nats/auth.conf has no NATS user {user}: add one for this service");

    /// <summary>The users of the permission file, from its <c>$NATS_&lt;USER&gt;_PASSWORD</c> references.</summary>
    private static IEnumerable<string> NatsUsers(string permissionFile) =>
        System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(permissionFile), @"\$NATS_([A-Z0-9_]+)_PASSWORD")
            .Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct();

    private string RepositoryRoot => Path.GetFullPath(Path.Combine(_builder.AppHostDirectory, "..", ".."));

    /// <summary>redis-server with an append-only file in <c>.data/redis</c>; healthy once it answers PING.</summary>
    public IResourceBuilder<ExecutableResource> AddRedis()
    {
        var program = FindProgram("redis-server", "REDIS_SERVER_PATH");
        var dir = DataFolder("redis");
        var port = FreePort();
        _builder.Services.AddHealthChecks().AddCheck("redis-ping", new RedisPingCheck(port));
        return _builder.AddExecutable("redis", program, dir,
                "--port", Invariant(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes",
                "--save", "", "--daemonize", "no", "--protected-mode", "no")
            .WithEndpoint(port: port, scheme: "redis", name: "tcp", isProxied: false)
            .WithHealthCheck("redis-ping");
    }

    /// <summary>
    /// An ASP.NET Core service of this repository: its http port, the shared <c>JWT_KEY</c>, its embedded store in
    /// <c>.data/&lt;name&gt;</c> (or <c>MONGO_URI</c> when set), readiness from <c>/health/ready</c>, and the gateway
    /// routes to it (and lists it on <c>/health</c>).
    /// </summary>
    public IResourceBuilder<ExecutableResource> AddService<TProject>(string name) where TProject : IProjectMetadata, new()
    {
        var service = AddDotNetApp<TProject>(name, FreePort())
            .WithHttpHealthCheck("/health/ready")
            .WithEnvironment("JWT_KEY", _jwtKey)
            .WithEnvironment("DATA_DIR", DataFolder(name));
        foreach (var setting in CommonPassThrough)
        {
            service.WithSetting(setting);
        }

        _services.Add(service);
        return service;
    }

    /// <summary>
    /// The web client: its http port, readiness from <c>/health/ready</c>, the APIs through the gateway
    /// (<c>TICKETING_API_URL</c>, as in Kubernetes it calls the ingress), and the gateway routes <c>/</c> to it.
    /// No JWT key and no data: it only calls the APIs with the visitor's session cookie.
    /// </summary>
    public IResourceBuilder<ExecutableResource> AddWebClient<TProject>(string name) where TProject : IProjectMetadata, new()
    {
        var client = AddDotNetApp<TProject>(name, FreePort())
            .WithHttpHealthCheck("/health/ready")
            .WithEnvironment("TICKETING_API_URL", $"http://localhost:{Invariant(GatewayPort)}");
        if (DashboardUrl() is { } dashboard)
        {
            client.WithEnvironment("DASHBOARD_URL", dashboard);
        }

        _services.Add(client);
        return client;
    }

    /// <summary>The local ingress on the fixed port, routing to every service added before it. Add it last.</summary>
    public IResourceBuilder<ExecutableResource> AddGateway<TProject>() where TProject : IProjectMetadata, new()
    {
        var gateway = AddDotNetApp<TProject>("gateway", GatewayPort)
            .WithHttpHealthCheck("/health/live")
            .WithUrlForEndpoint("http", url => url.DisplayText = "Ticketing (gateway)");
        if (DashboardUrl() is { } dashboard)
        {
            gateway.WithEnvironment("DASHBOARD_URL", dashboard);
        }

        foreach (var service in _services)
        {
            // services__<name>__http__0=http://localhost:<port>, as WithReference gives a project.
            gateway.WithReference(service.GetEndpoint("http")).WithReferenceRelationship(service);
        }

        return gateway;
    }

    /// <summary>
    /// Runs a project's build output directly (<c>dotnet &lt;bin&gt;/&lt;Project&gt;.dll</c>, working directory the project's
    /// folder, http on <paramref name="port"/>, telemetry to the dashboard). Not <c>AddProject</c>: that runs each
    /// service under a <c>dotnet run</c> wrapper, which here took ~12 s to stop from the dashboard (DCP gave up at
    /// times), ~140 MB per service and a slower start; the process itself stops in well under a second.
    /// </summary>
    private IResourceBuilder<ExecutableResource> AddDotNetApp<TProject>(string name, int port) where TProject : IProjectMetadata, new()
    {
        var projectPath = new TProject().ProjectPath;
        var projectDirectory = Path.GetDirectoryName(projectPath)!;
        var assembly = Path.Combine(projectDirectory, "bin", BuildConfiguration, TargetFramework, Path.GetFileNameWithoutExtension(projectPath) + ".dll");
        if (!File.Exists(assembly))
        {
            throw new DistributedApplicationException(
                $"{name}: {assembly} does not exist. Build first: dotnet build dev/Ticketing.AppHost -c {BuildConfiguration} (./run.sh does).");
        }

        return _builder.AddExecutable(name, "dotnet", projectDirectory, assembly)
            .WithHttpEndpoint(port: port, name: "http", isProxied: false)
            .WithEnvironment("ASPNETCORE_URLS", $"http://localhost:{Invariant(port)}")
            .WithEnvironment("DOTNET_ENVIRONMENT", "Production")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Production")
            .WithEnvironment("LOGGING__CONSOLE__FORMATTERNAME", "simple")
            .WithOtlpExporter();
    }

    /// <summary>The configuration this AppHost was built in (its project references are built in the same one).</summary>
    private static string BuildConfiguration { get; } =
        typeof(LocalPlatform).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c ? c : "Debug";

    /// <summary>The target framework every project shares (Directory.Build.props), e.g. net10.0.</summary>
    private static string TargetFramework { get; } =
        typeof(LocalPlatform).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName is { } framework
            ? "net" + new FrameworkName(framework).Version.ToString(2)
            : "net10.0";

    private string? DashboardUrl() =>
        Setting("ASPNETCORE_URLS")?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();

    private string DataFolder(string name)
    {
        var path = Path.Combine(DataDirectory, name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary><c>JWT_KEY</c> from the environment, else the key in <c>.data/jwt.key</c>, else a fresh random one kept there.</summary>
    private string LoadOrCreateJwtKey()
    {
        // The services accept only base64 of at least 32 random bytes: a weak key set by hand stops the run here,
        // naming the setting; a weak kept key (never written by this code) is replaced.
        static bool Strong(string key) =>
            Convert.TryFromBase64String(key, new byte[key.Length], out var written) && written >= 32;

        if (Setting("JWT_KEY", "JWT_KEY") is { } configured)
        {
            return Strong(configured)
                ? configured
                : throw new InvalidOperationException("JWT_KEY must be base64 of at least 32 random bytes (for example `openssl rand -base64 48`), or unset for a generated one");
        }

        var path = Path.Combine(DataDirectory, "jwt.key");
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { } kept && Strong(kept))
        {
            return kept;
        }

        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var write = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            write.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new StreamWriter(path, System.Text.Encoding.ASCII, write))
        {
            file.Write(key);
        }

        return key;
    }

    /// <summary>A program on PATH or in the sbin folders Debian installs servers to (a normal user's PATH often lacks them).</summary>
    private string FindProgram(string program, string overrideVariable)
    {
        if (Setting(overrideVariable, overrideVariable) is { } configured)
        {
            return configured;
        }

        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"]);
        return folders.Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists)
            ?? throw new DistributedApplicationException(
                $"{program} is not installed. ./run.sh installs it with apt-get; or run: sudo apt-get install -y {program} (or set {overrideVariable}).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Stops the AppHost (and so every process it started) when the process that launched it is gone.</summary>
    private sealed class ParentProcessWatch(int parentPid, IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!IsAlive(parentPid))
                {
                    lifetime.StopApplication();
                    return;
                }
            }
        }

        private static bool IsAlive(int pid)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }

    /// <summary>Healthy once redis-server answers PING on its port.</summary>
    private sealed class RedisPingCheck(int port) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var client = new TcpClient();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer, timeout.Token);
                return System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("redis-server did not answer PING");
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy($"redis-server is not reachable: {e.Message}");
            }
        }
    }
}

/// <summary>The short calls Program.cs uses on a service.</summary>
public static class LocalPlatformExtensions
{
    /// <summary>
    /// Connects the service to nats-server (<c>NATS_URL</c>) as its own NATS user (<c>NATS_USER</c> = the resource's
    /// name, <c>NATS_PASSWORD</c> this run's password) and starts it once NATS is healthy and provisioned.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> WithNats(this IResourceBuilder<ExecutableResource> service, IResourceBuilder<ExecutableResource> nats)
    {
        var endpoint = nats.GetEndpoint("tcp");
        var builder = service.ApplicationBuilder;
        var user = service.Resource.Name;
        var provision = builder.Resources.OfType<ExecutableResource>().Single(r => r.Name == LocalPlatform.NatsProvisionResource);
        return service
            .WithEnvironment("NATS_URL", ReferenceExpression.Create($"nats://127.0.0.1:{endpoint.Property(EndpointProperty.Port)}"))
            .WithEnvironment("NATS_USER", user)
            .WithEnvironment("NATS_PASSWORD", builder.CreateResourceBuilder(LocalPlatform.NatsPassword(builder, user)))
            .WaitFor(nats)
            .WaitForCompletion(builder.CreateResourceBuilder(provision));
    }

    /// <summary>Connects the service to redis-server (<paramref name="variable"/> = <c>127.0.0.1:port</c>) and starts it once Redis is healthy.</summary>
    public static IResourceBuilder<ExecutableResource> WithRedis(this IResourceBuilder<ExecutableResource> service, IResourceBuilder<ExecutableResource> redis, string variable = "REDIS_URL")
    {
        var endpoint = redis.GetEndpoint("tcp");
        return service
            .WithEnvironment(variable, ReferenceExpression.Create($"127.0.0.1:{endpoint.Property(EndpointProperty.Port)}"))
            .WaitFor(redis);
    }

    /// <summary>
    /// Sets <paramref name="name"/> to the value <c>./run.sh</c>'s environment gives it, else to <paramref name="localDefault"/>
    /// (nothing when both are missing, so the service's own default applies).
    /// </summary>
    /// <remarks>
    /// The AppHost's configuration holds its environment variables, overridable on its command line. Processes inherit
    /// the AppHost's environment anyway, so a value set explicitly empty (<c>--MONGO_URI=</c>, as the e2e tests do so
    /// they never write to a developer's database) is passed on as empty, which the services read as unset.
    /// </remarks>
    public static IResourceBuilder<ExecutableResource> WithSetting(this IResourceBuilder<ExecutableResource> service, string name, string? localDefault = null)
    {
        var value = service.ApplicationBuilder.Configuration[name] switch
        {
            null => localDefault,
            "" => localDefault ?? string.Empty,
            var configured => configured,
        };
        return value is null ? service : service.WithEnvironment(name, value);
    }
}
