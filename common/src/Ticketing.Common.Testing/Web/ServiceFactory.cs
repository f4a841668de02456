using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Common.Testing.Web;

/// <summary>
/// Hosts one service in memory for endpoint tests (<c>WebApplicationFactory</c>) with test settings: a fresh
/// <c>JWT_KEY</c>, an embedded store in its own temp folder, and whatever <see cref="Settings"/> adds
/// (<c>NATS_URL</c> of a test server, lower limits, ...). Settings must be set before the first client.
/// </summary>
public class ServiceFactory<TEntryPoint> : WebApplicationFactory<TEntryPoint> where TEntryPoint : class
{
    private readonly TempDirectory _data = new("ticketing-service");

    public ServiceFactory()
    {
        Settings["JWT_KEY"] = JwtKey;
        Settings["DATA_DIR"] = _data.Path;
    }

    public string JwtKey { get; } = TestUsers.NewJwtKey();
    public string DataDirectory => _data.Path;
    public Dictionary<string, string?> Settings { get; } = new();

    /// <summary>
    /// The address every request seems to come from (the in-memory server has none): loopback by default, a trusted
    /// proxy under the default <c>FORWARDED_TRUSTED_NETWORKS</c>, so <c>X-Forwarded-For</c> is believed; set another to
    /// call as an untrusted peer.
    /// </summary>
    public System.Net.IPAddress RemoteAddress { get; set; } = System.Net.IPAddress.Loopback;

    /// <summary>A client whose requests carry the session cookie of a new signed-in user.</summary>
    public HttpClient CreateSignedInClient(out string userId, string? email = null)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        userId = client.SignIn(JwtKey, email: email);
        return client;
    }

    public HttpClient CreateAnonymousClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new TestPeerStartupFilter(() => RemoteAddress)));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
        GC.SuppressFinalize(this);
    }
}
