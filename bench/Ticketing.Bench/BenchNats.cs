using NATS.Client.Core;

namespace Ticketing.Bench;

/// <summary>
/// The one place the bench opens a NATS connection (the raw JetStream baseline, the platform run's stream monitor and
/// consumer probes). When nats-server requires credentials, they are added here and nowhere else.
/// </summary>
public static class BenchNats
{
    public static NatsOpts Options(string url, string name) => NatsOpts.Default with { Url = url, Name = name };

    public static NatsConnection Connect(string url, string name) => new(Options(url, name));
}
