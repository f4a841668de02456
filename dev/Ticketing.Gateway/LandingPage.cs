using System.Net;
using System.Text;

namespace Ticketing.Gateway;

/// <summary>
/// The local platform's status page: what runs, whether it is ready, links to each API's OpenAPI document and to the
/// dashboard. At <c>/gateway</c> always; also at <c>/</c> while there is no web client (once it runs it takes <c>/</c>
/// and every path no API route claims, and links here from its footer).
/// </summary>
public static class LandingPage
{
    /// <summary>Where the page always is (the client takes <c>/</c> once it runs; it links here in local runs).</summary>
    public const string Path = "/gateway";

    public static string Render(GatewayOptions options, PlatformHealth health, string baseUrl)
    {
        var html = new StringBuilder();
        html.Append("""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Ticketing (local)</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; color: #222; }
              table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
              th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; }
              code { background: #f3f3f3; padding: .1rem .3rem; border-radius: 3px; }
              .Healthy { color: #17803d; } .Degraded { color: #a86b00; } .Unhealthy { color: #b3261e; }
              pre { background: #f6f6f6; padding: .8rem; white-space: pre-wrap; word-break: break-all; }
            </style>
            </head>
            <body>
            <h1>Ticketing is running locally</h1>
            <p>This page is the local gateway's own (always at <a href="/gateway">/gateway</a>); the web shop is at
            <a href="/">/</a> once the client runs. Everything goes through this gateway, as it would through the Kubernetes ingress.</p>
            """);
        html.Append("<h2>Services</h2><table><tr><th>service</th><th>routes</th><th>ready</th><th>answered in</th><th>API document</th><th>dashboard (local only)</th></tr>");
        foreach (var (name, status) in health.Services)
        {
            var prefixes = string.Join(", ", options.Routes.Where(r => r.Service == name).Select(r => $"<code>{Encode(r.Prefix)}</code>"));
            var openApi = options.Services.TryGetValue(name, out var address) && prefixes.Length > 0
                ? $"<a href=\"{Encode(new Uri(address, "/openapi/v1.json").ToString())}\">openapi/v1.json</a>"
                : string.Empty;
            var localPage = options.Services.TryGetValue(name, out var local) && options.Dashboards.TryGetValue(name, out var path)
                ? $"<a href=\"{Encode(new Uri(local, path).ToString())}\">{Encode(path)}</a>"
                : string.Empty;
            html.Append(CultureInvariant($"<tr><td>{Encode(name)}</td><td>{(prefixes.Length > 0 ? prefixes : "(none)")}</td>"))
                .Append(CultureInvariant($"<td class=\"{Encode(status.Status)}\">{Encode(status.Status)}{(status.Error is null ? "" : $" ({Encode(status.Error)})")}</td>"))
                .Append(CultureInvariant($"<td>{status.TimeMs:0.#} ms</td><td>{openApi}</td><td>{localPage}</td></tr>"));
        }

        html.Append("</table>");
        html.Append("<p>All of it as JSON: <a href=\"/health\">/health</a>.");
        if (options.DashboardUrl is { } dashboard)
        {
            html.Append(CultureInvariant($" Logs, traces and metrics of every service: <a href=\"{Encode(dashboard.ToString())}\">the dashboard</a>."));
        }

        html.Append("</p>");
        var site = Encode(baseUrl.TrimEnd('/'));
        html.Append(CultureInvariant($$"""
            <h2>Try it</h2>
            <pre>curl -c jar -H 'content-type: application/json' -d '{"email":"me@example.com","password":"password1"}' {{site}}/api/users/signup
            curl -b jar -H 'content-type: application/json' -d '{"title":"Concert","price":20}' {{site}}/api/tickets
            curl {{site}}/api/tickets</pre>
            </body>
            </html>
            """));
        return html.ToString();
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);

    private static string CultureInvariant(FormattableString value) => FormattableString.Invariant(value);
}
