using System.Globalization;
using Ticketing.Common.Hosting;
using Yarp.ReverseProxy.Configuration;

namespace Ticketing.Gateway;

/// <summary>One ingress rule: requests whose path starts with <see cref="Prefix"/> (whole segments) go to <see cref="Service"/>.</summary>
public sealed record GatewayRoute(string Prefix, string Service);

/// <summary>
/// What the gateway routes and where the services are. The route table (<c>Gateway:Routes</c> in appsettings.json)
/// mirrors <c>infra/k8s/ingress.yaml</c>; the addresses come from Aspire's <c>WithReference</c>
/// (<c>services:&lt;name&gt;:http:0</c>), or <c>Gateway:Services:&lt;name&gt;</c> when run by hand.
/// </summary>
public sealed class GatewayOptions
{
    public required IReadOnlyList<GatewayRoute> Routes { get; init; }

    /// <summary>The service that takes every path no route claims (the web client), once it runs.</summary>
    public required string Fallback { get; init; }

    /// <summary>Every service the gateway knows an address for (routed or not, e.g. expiration): name -> base address.</summary>
    public required IReadOnlyDictionary<string, Uri> Services { get; init; }

    /// <summary>How long <c>/health</c> waits for one service's readiness before calling it down.</summary>
    public required TimeSpan HealthTimeout { get; init; }

    /// <summary>Local-only pages of a service (<c>Gateway:Dashboards</c>: name -> path, e.g. expiration's Hangfire dashboard), linked from the landing page, never routed.</summary>
    public IReadOnlyDictionary<string, string> Dashboards { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The Aspire dashboard, linked from the landing page (<c>DASHBOARD_URL</c>).</summary>
    public Uri? DashboardUrl { get; init; }

    /// <summary>
    /// The largest request body the gateway forwards (<c>Gateway:MaxRequestBodyBytes</c>, 1 MiB): the ingress's
    /// <c>nginx.ingress.kubernetes.io/proxy-body-size: "1m"</c> (a test keeps them equal). A larger one gets 413 here,
    /// as ingress-nginx answers, before any byte reaches a service.
    /// </summary>
    public long MaxRequestBodyBytes { get; init; } = 1024 * 1024;

    public bool FallbackRuns => Services.ContainsKey(Fallback);

    public static GatewayOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Gateway");
        var routes = section.GetSection("Routes").GetChildren()
            .Select(route => new GatewayRoute(
                route["Prefix"] ?? throw new InvalidSettingException("Gateway:Routes", "needs a Prefix on every route"),
                route["Service"] ?? throw new InvalidSettingException("Gateway:Routes", "needs a Service on every route")))
            .ToList();
        foreach (var route in routes)
        {
            if (!route.Prefix.StartsWith('/') || route.Prefix.EndsWith('/'))
            {
                throw new InvalidSettingException("Gateway:Routes", $"prefix '{route.Prefix}' must start with '/' and not end with '/'");
            }
        }

        var services = new SortedDictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var service in configuration.GetSection("services").GetChildren())
        {
            // Aspire: services__<name>__<endpoint>__<index>; the http endpoint is the one the gateway talks to.
            if (service.GetSection("http")["0"] is { Length: > 0 } address)
            {
                services[service.Key] = ParseAddress($"services:{service.Key}:http:0", address);
            }
        }

        foreach (var service in section.GetSection("Services").GetChildren())
        {
            if (service.Value is { Length: > 0 } address)
            {
                services[service.Key] = ParseAddress($"Gateway:Services:{service.Key}", address);
            }
        }

        return new GatewayOptions
        {
            Routes = routes,
            Fallback = section["Fallback"] ?? "client",
            Services = services,
            HealthTimeout = configuration.Milliseconds("Gateway:HealthTimeoutMs", TimeSpan.FromSeconds(2), 50, 60_000),
            MaxRequestBodyBytes = configuration.Long("Gateway:MaxRequestBodyBytes", 1024 * 1024, 1024, 1024L * 1024 * 1024),
            Dashboards = section.GetSection("Dashboards").GetChildren()
                .Where(d => d.Value is { Length: > 0 })
                .ToDictionary(d => d.Key, d => d.Value!, StringComparer.Ordinal),
            DashboardUrl = configuration.Optional("DASHBOARD_URL") is { } dashboard ? ParseAddress("DASHBOARD_URL", dashboard) : null,
        };
    }

    private static Uri ParseAddress(string setting, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new InvalidSettingException(setting, $"must be an absolute http(s) address (got '{value}')");

    /// <summary>YARP routes: one per ingress rule (the prefix itself and everything below it), then the fallback.</summary>
    public IReadOnlyList<RouteConfig> ProxyRoutes()
    {
        var transforms = new[]
        {
            // As ingress-nginx does: the service sees the host the browser asked for, and X-Forwarded-* (YARP's default,
            // which replaces whatever the caller sent, so the client address the services rate-limit on is the real one).
            new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" },
        };
        var routes = Routes
            .Select((route, index) => new RouteConfig
            {
                RouteId = $"{index.ToString("00", CultureInfo.InvariantCulture)}-{route.Service}",
                ClusterId = route.Service,
                Match = new RouteMatch { Path = route.Prefix + "/{**remainder}" },
                Transforms = transforms,
            })
            .ToList();
        if (FallbackRuns)
        {
            routes.Add(new RouteConfig
            {
                RouteId = $"zz-{Fallback}",
                ClusterId = Fallback,
                Order = int.MaxValue,
                Match = new RouteMatch { Path = "/{**remainder}" },
                Transforms = transforms,
            });
        }

        return routes;
    }

    /// <summary>YARP clusters: one per routed service, pointing at its address (none when it does not run).</summary>
    public IReadOnlyList<ClusterConfig> ProxyClusters() =>
        Routes.Select(route => route.Service)
            .Append(FallbackRuns ? Fallback : null)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Select(service => new ClusterConfig
            {
                ClusterId = service,
                Destinations = Services.TryGetValue(service, out var address)
                    ? new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { [service] = new() { Address = address.ToString() } }
                    : new Dictionary<string, DestinationConfig>(StringComparer.Ordinal),
            })
            .ToList();
}
