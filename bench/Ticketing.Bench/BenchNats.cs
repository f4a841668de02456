using NATS.Client.Core;

namespace Ticketing.Bench;

/// <summary>
/// The one place the bench opens a NATS connection (the raw JetStream baseline, the platform run's stream monitor and
/// consumer probes). The platform's nats-server loads infra/nats/auth.conf, so the bench signs in as its <c>admin</c>
/// user (it creates its own BENCH stream and reads the services' consumers); the nats-servers the older paths start
/// themselves are open (<paramref name="auth"/> null).
/// </summary>
public static class BenchNats
{
    public static NatsOpts Options(string url, string name, NatsAuthOpts? auth = null) =>
        NatsOpts.Default with { Url = url, Name = name, AuthOpts = auth ?? NatsAuthOpts.Default };

    public static NatsConnection Connect(string url, string name, NatsAuthOpts? auth = null) => new(Options(url, name, auth));

    /// <summary>The admin identity, for a nats-server that requires credentials.</summary>
    public static NatsAuthOpts Admin(string password) => NatsAuthOpts.Default with { Username = "admin", Password = password };
}
