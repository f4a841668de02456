using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Ticketing.Common.Messaging;
using Xunit;

namespace Ticketing.Common.Testing.Processes;

/// <summary>
/// A real <c>nats-server -js</c> on a free loopback port with its JetStream store in a temp folder.
/// <see cref="ServerProcess.StopAsync"/> and <see cref="ServerProcess.StartAsync"/> simulate an outage: the server
/// comes back on the same port with the same store, as a restarted pod would.
/// <para>
/// <see cref="Secured"/> (the default of <see cref="StartSecuredAsync"/>, <see cref="NatsServerFixture"/> and the
/// services' <c>ServiceApp</c>): the server loads the repository's permission file (<see cref="PermissionFile"/>,
/// what Kubernetes deploys) with a fresh random password per user, and every start runs the provisioning step as
/// admin (streams, every durable consumer of <see cref="ConsumerCatalogue"/>, the revoked-sessions bucket), so the
/// services under test run with exactly the rights they have when deployed. Unsecured (<see cref="StartNewAsync"/>)
/// is an open server for the messaging library's own tests, whose made-up services provision for themselves.
/// </para>
/// </summary>
public sealed class NatsServer : ServerProcess
{
    private static readonly ConcurrentDictionary<string, NatsServer> SecuredByUrl = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _passwords = new(StringComparer.Ordinal);

    /// <summary>An open server (no users).</summary>
    public NatsServer() : this(secured: false)
    {
    }

    public NatsServer(bool secured) : base("ticketing-nats")
    {
        Secured = secured;
        if (secured)
        {
            foreach (var user in Users)
            {
                _passwords[user] = "t" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            }

            SecuredByUrl[Url] = this;
        }
    }

    /// <summary>The permission file nats-server loads in every environment.</summary>
    public static string PermissionFile => RepositoryRoot.PathOf("infra", "nats", "auth.conf");

    /// <summary>The users the permission file declares (from its <c>$NATS_&lt;USER&gt;_PASSWORD</c> references).</summary>
    public static IReadOnlyList<string> Users { get; } =
        [.. Regex.Matches(File.ReadAllText(PermissionFile), @"\$NATS_([A-Z0-9_]+)_PASSWORD").Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct()];

    public string Url => $"nats://127.0.0.1:{Port}";
    public string StoreDirectory => DataDirectory;

    /// <summary>Whether the server enforces the permission file.</summary>
    public bool Secured { get; }

    protected override string Program => "nats-server";
    protected override string ReadyLine => "Server is ready";

    protected override IEnumerable<string> Arguments()
    {
        string[] common = ["-js", "-a", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-sd", DataDirectory, "-n", $"test-{Port}"];
        if (!Secured)
        {
            return common;
        }

        // The permission file itself is the configuration; port, store and JetStream come from the command line.
        return ["-c", PermissionFile, .. common];
    }

    protected override IReadOnlyDictionary<string, string>? Environment() =>
        Secured ? _passwords.ToDictionary(p => $"NATS_{p.Key.ToUpperInvariant()}_PASSWORD", p => p.Value) : null;

    /// <summary>Whether a secured server is provisioned on every start (off: a test of the provisioning itself).</summary>
    public bool ProvisionOnStart { get; init; } = true;

    protected override async Task OnStartedAsync()
    {
        if (Secured && ProvisionOnStart)
        {
            await ProvisionAsync();
        }
    }

    /// <summary>The permission violations the server logged since its last start (publish, subscribe, JetStream API).</summary>
    public IReadOnlyList<string> Violations =>
        [.. Output.Split('\n').Where(line => line.Contains("Violation", StringComparison.Ordinal))];

    /// <summary>How <paramref name="user"/> connects (anonymous on an open server).</summary>
    public NatsConnectionSettings SettingsFor(string user) =>
        Secured
            ? new NatsConnectionSettings(Url) { User = user, Password = _passwords.TryGetValue(user, out var p) ? p : throw new ArgumentException($"The permission file has no user {user}", nameof(user)) }
            : new NatsConnectionSettings(Url);

    /// <summary>The identity the test harness itself uses (publishing as another service, probing, provisioning): admin.</summary>
    public NatsConnectionSettings Admin => SettingsFor("admin");

    /// <summary>A service's settings (<c>NATS_URL</c>, <c>NATS_USER</c>, <c>NATS_PASSWORD</c>) for <paramref name="user"/>.</summary>
    public IReadOnlyDictionary<string, string?> ServiceSettings(string user)
    {
        var settings = new Dictionary<string, string?> { ["NATS_URL"] = Url };
        if (Secured)
        {
            settings["NATS_USER"] = user;
            settings["NATS_PASSWORD"] = SettingsFor(user).Password;
        }

        return settings;
    }

    /// <summary>A connection as <paramref name="user"/> (dispose it).</summary>
    public NatsConnection Connect(string user) => SettingsFor(user).Connect($"test-{user}", NullLoggerFactory.Instance);

    /// <summary>Runs the provisioning step as admin (idempotent), as the Kubernetes Job and the local run do.</summary>
    public async Task ProvisionAsync()
    {
        await using var admin = Connect("admin");
        await new NatsProvisioning(new NatsJSContext(admin), new MessagingOptions { ServiceName = "admin", Url = Url }, NullLoggerFactory.Instance)
            .RunAsync(CancellationToken.None);
    }

    /// <summary>
    /// The harness's identity for the server at <paramref name="url"/>: admin on a secured server this test process
    /// started, anonymous otherwise. Lets the probes and helpers that only know a URL connect with the right rights.
    /// </summary>
    public static NatsConnectionSettings HarnessSettings(string url, string user = "admin") =>
        SecuredByUrl.TryGetValue(url, out var server) ? server.SettingsFor(user) : new NatsConnectionSettings(url);

    /// <summary>The secured server this test process started at <paramref name="url"/>, or null.</summary>
    public static NatsServer? SecuredAt(string? url) => url is not null && SecuredByUrl.TryGetValue(url, out var server) ? server : null;

    public static async Task<NatsServer> StartNewAsync()
    {
        var server = new NatsServer();
        await server.StartAsync();
        return server;
    }

    /// <summary>A server with the permission file, provisioned.</summary>
    public static async Task<NatsServer> StartSecuredAsync()
    {
        var server = new NatsServer(secured: true);
        await server.StartAsync();
        return server;
    }
}

/// <summary>One secured, provisioned nats-server for a test class (xunit class fixture).</summary>
public sealed class NatsServerFixture : IAsyncLifetime
{
    private NatsServer? _server;

    public NatsServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync() => _server = await NatsServer.StartSecuredAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
