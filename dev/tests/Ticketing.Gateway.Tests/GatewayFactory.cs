using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Gateway.Tests;

/// <summary>The real gateway (its appsettings.json routes) on Kestrel on a free port, pointed at the given service addresses.</summary>
internal sealed class GatewayFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new();

    public GatewayFactory(IReadOnlyDictionary<string, Uri> services, TimeSpan? healthTimeout = null)
    {
        foreach (var (name, address) in services)
        {
            _settings[$"services:{name}:http:0"] = address.ToString();
        }

        _settings["Gateway:HealthTimeoutMs"] = ((int)(healthTimeout ?? TimeSpan.FromSeconds(2)).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var port = FreePort.Next();
        UseKestrel(port);
        ClientOptions.BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public HttpClient CreateHttpClient()
    {
        StartServer();
        return CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = ClientOptions.BaseAddress, AllowAutoRedirect = false, HandleCookies = false });
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
