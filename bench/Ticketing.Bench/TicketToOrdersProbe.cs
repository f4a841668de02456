extern alias tickets;
extern alias orders;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Ticketing.Common.Messaging;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Bench;

/// <summary>
/// The cross-service path: a seller's <c>POST /api/tickets</c> (tickets stores the ticket and its
/// TicketCreated in one write and publishes it) until orders has handled and acknowledged that event (its
/// replica holds the ticket). Both services run in this process with their real code, real embedded stores
/// and the real nats-server; "handled" is observed through the consumer's own trace span, not by polling.
/// </summary>
public sealed class TicketToOrdersProbe : IAsyncDisposable
{
    private const string OrdersConsumer = "orders-ticket-created-v1";

    private readonly ServiceFactory<tickets::Program> _tickets = new();
    private readonly ServiceFactory<orders::Program> _orders = new();
    private readonly ConcurrentDictionary<string, long> _handledAt = new();
    private readonly ActivityListener _listener;
    private HttpClient _seller = null!;

    public TicketToOrdersProbe(string natsUrl)
    {
        UseProjectContentRoots();
        foreach (var settings in new[] { _tickets.Settings, _orders.Settings })
        {
            settings["NATS_URL"] = natsUrl;
            settings["NATS_PROVISION"] = "true"; // an open nats-server: the services create their streams and consumers (decision 0013)
            settings["Logging:LogLevel:Default"] = "Warning";
        }

        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MessagingTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Start()
    {
        _ = _orders.Services; // starts orders and its consumers
        _seller = _tickets.CreateSignedInClient(out _);
    }

    /// <summary>One ticket through the path. Returns (HTTP request ms, until orders handled it ms).</summary>
    public async Task<(double Http, double EndToEnd)> RoundTripAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var response = await _seller.PostAsJsonAsync("/api/tickets", new { title = "Bench concert", price = 42.5m });
        var answered = Stopwatch.GetTimestamp();
        response.EnsureSuccessStatusCode();
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        long handled;
        while (!_handledAt.TryRemove(id, out handled))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"orders did not handle TicketCreated of {id} within 10 s");
            }

            await Task.Delay(1);
        }

        return (Stopwatch.GetElapsedTime(started, answered).TotalMilliseconds, Stopwatch.GetElapsedTime(started, handled).TotalMilliseconds);
    }

    /// <summary>
    /// WebApplicationFactory finds a service's content root through the manifest its build writes next to a
    /// test assembly; from a console program it does not look there, so point it at the same folders explicitly.
    /// </summary>
    private static void UseProjectContentRoots()
    {
        var manifest = Path.Combine(AppContext.BaseDirectory, "MvcTestingAppManifest.json");
        foreach (var (assembly, folder) in JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(manifest))!)
        {
            var name = assembly.Split(',')[0].Replace('.', '_').ToUpperInvariant();
            Environment.SetEnvironmentVariable($"ASPNETCORE_TEST_CONTENTROOT_{name}", folder);
        }
    }

    private void OnStopped(Activity activity)
    {
        if (activity.GetTagItem("messaging.consumer.group.name") as string == OrdersConsumer
            && activity.GetTagItem("messaging.message.id") is string messageId)
        {
            // ticket.created:<id>:v0
            var parts = messageId.Split(':');
            if (parts.Length == 3)
            {
                _handledAt[parts[1]] = Stopwatch.GetTimestamp();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        _seller?.Dispose();
        await _tickets.DisposeAsync();
        await _orders.DisposeAsync();
    }
}
