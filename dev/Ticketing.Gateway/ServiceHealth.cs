using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ticketing.Gateway;

/// <summary>One service's readiness as the gateway saw it: status, how long the answer took, and what the service said.</summary>
public sealed record ServiceStatus(
    string Status,
    double TimeMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? HttpStatus,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Checks);

/// <summary>The gateway's <c>/health</c>: every service's readiness and response time in one JSON, plus an overall status.</summary>
public sealed record PlatformHealth(string Status, double DurationMs, IReadOnlyDictionary<string, ServiceStatus> Services);

/// <summary>
/// Asks every known service's <c>/health/ready</c> at once, each with a short timeout, so <c>/health</c> answers
/// promptly even when a service is down or hangs (as the seed microservice-stack's gateway listed its services).
/// </summary>
public sealed class ServiceHealth(GatewayOptions options, IHttpClientFactory clients)
{
    public const string HttpClientName = "health";
    public const string ReadyPath = "/health/ready";

    public async Task<PlatformHealth> CheckAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var names = options.Services.Keys
            .Concat(options.Routes.Select(route => route.Service))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var results = await Task.WhenAll(names.Select(name => CheckOneAsync(name, cancellationToken)));
        var services = names.Zip(results).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal);

        var status = services.Values.Any(s => s.Status != "Healthy" && s.Status != "Degraded") ? "Unhealthy"
            : services.Values.Any(s => s.Status == "Degraded") ? "Degraded"
            : "Healthy";
        return new PlatformHealth(status, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1), services);
    }

    private async Task<ServiceStatus> CheckOneAsync(string name, CancellationToken cancellationToken)
    {
        if (!options.Services.TryGetValue(name, out var address))
        {
            return new ServiceStatus("Unhealthy", 0, null, null, $"{name} is not running (the gateway has no address for it)", null);
        }

        var url = new Uri(address, ReadyPath);
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HealthTimeout);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).GetAsync(url, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var elapsed = Elapsed(started);
            string? status = null;
            JsonElement? checks = null;
            try
            {
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String)
                {
                    status = s.GetString();
                }

                if (json.RootElement.TryGetProperty("checks", out var c))
                {
                    checks = c.Clone();
                }
            }
            catch (JsonException)
            {
                // A readiness answer that is not the services' JSON: judge by the status code alone.
            }

            status ??= response.IsSuccessStatusCode ? "Healthy" : "Unhealthy";
            if (!response.IsSuccessStatusCode && status == "Healthy")
            {
                status = "Unhealthy";
            }

            return new ServiceStatus(status, elapsed, url.ToString(), (int)response.StatusCode, null, checks);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ServiceStatus("Unhealthy", Elapsed(started), url.ToString(), null,
                $"no answer within {options.HealthTimeout.TotalMilliseconds:0} ms", null);
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is SocketException socket ? socket.SocketErrorCode.ToString() : e.Message;
            return new ServiceStatus("Unhealthy", Elapsed(started), url.ToString(), null, $"not reachable ({reason})", null);
        }
    }

    private static double Elapsed(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
}
