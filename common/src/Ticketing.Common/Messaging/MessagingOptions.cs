using Microsoft.Extensions.Configuration;
using Ticketing.Common.Hosting;

namespace Ticketing.Common.Messaging;

/// <summary>
/// How a service talks to NATS JetStream. Read from configuration (environment variables as Kubernetes sets
/// them); the defaults suit one local server.
/// </summary>
public sealed class MessagingOptions
{
    /// <summary>This service's name; consumers are named <c>&lt;service&gt;-&lt;event&gt;</c>.</summary>
    public required string ServiceName { get; init; }

    /// <summary><c>NATS_URL</c>, for example <c>nats://nats:4222</c>.</summary>
    public required string Url { get; init; }

    /// <summary>The one stream every event travels on.</summary>
    public string StreamName { get; init; } = "TICKETING";

    /// <summary>Where parked messages go (<c>deadletter.&lt;service&gt;.&lt;subject&gt;</c>), kept for inspection.</summary>
    public string DeadLetterStreamName { get; init; } = "TICKETING_DEADLETTER";

    /// <summary><c>NATS_STREAM_REPLICAS</c>: 1 for one server, 3 for a production cluster.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>
    /// <c>NATS_STREAM_MAX_BYTES</c>: the event stream's size limit, set when a service creates it (768 MiB by default,
    /// which with <see cref="DeadLetterMaxBytes"/> fits the 1 GiB JetStream file store of the base manifests; raise it
    /// with the volume, e.g. 8 GiB for the production 10 GiB store). When full, publishes are refused: events wait in
    /// the services' outboxes and readiness reports the backlog.
    /// </summary>
    public long StreamMaxBytes { get; init; } = 768L * 1024 * 1024;

    /// <summary><c>NATS_DEADLETTER_MAX_BYTES</c>: the dead-letter stream's size limit (128 MiB).</summary>
    public long DeadLetterMaxBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>
    /// <c>NATS_STREAM_MAX_AGE_DAYS</c>: events older than this leave both streams (365 days). A service added later
    /// reads history only this far back.
    /// </summary>
    public TimeSpan StreamMaxAge { get; init; } = TimeSpan.FromDays(365);

    /// <summary>
    /// <c>NATS_STREAM_STRICT</c>: when an existing stream's settings differ from this service's, stop at start
    /// instead of logging a warning. The stream is never changed either way.
    /// </summary>
    public bool StrictStreamSettings { get; init; }

    /// <summary>
    /// <c>NATS_PROVISION</c>: this service creates the streams and its own durable consumers when they are missing
    /// (and the revoked-sessions bucket, for auth), for a bare <c>dotnet run</c> against an open nats-server. Off by
    /// default and in every deployment: there an admin identity provisions (<c>ticketing nats provision</c>, a
    /// Kubernetes Job, a step of the local run) and a service may only look its streams and consumers up.
    /// </summary>
    public bool Provision { get; init; }

    /// <summary>The stream drops a second publish with the same <c>Nats-Msg-Id</c> within this window.</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary><c>NATS_MAX_DELIVER</c>: deliveries of one message before it is parked.</summary>
    public int MaxDeliver { get; init; } = 10;

    /// <summary>
    /// <c>NATS_SPARE_DELIVERIES</c>: deliveries allowed beyond <see cref="MaxDeliver"/> for deliveries that ended
    /// with no outcome at all (the process crashed or was killed mid-handling, the ack was lost). A message delivered
    /// <see cref="ParkOnDelivery"/> times is parked on receipt without reaching its handler, so a message that
    /// crashes the process still ends in the dead-letter stream. The server itself never drops a message.
    /// </summary>
    public int SpareDeliveries { get; init; } = 10;

    /// <summary>The delivery at which a message is parked on receipt, unhandled (see <see cref="SpareDeliveries"/>).</summary>
    public int ParkOnDelivery => MaxDeliver + SpareDeliveries;

    /// <summary>
    /// <c>NATS_OUTAGE_PARK_AFTER_S</c>: how long a message may wait for a dependency that is down (its handler keeps
    /// failing with <see cref="Hosting.DependencyFailure.IsTransient"/> errors) before it is parked. Hours: an outage
    /// pauses the consumer, it does not use up the message's deliveries.
    /// </summary>
    public TimeSpan OutageParkAfter { get; init; } = TimeSpan.FromHours(6);

    /// <summary><c>NATS_ACK_WAIT_MS</c>: how long the server waits for an ack before redelivering.</summary>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the consumer tells the server it is still working on the messages it holds (in-progress acks),
    /// so none reaches <see cref="AckWait"/> while it waits its turn or waits for a dependency.
    /// </summary>
    public TimeSpan KeepAliveInterval => AckWait / 3;

    /// <summary>Messages a consumer pulls at a time (small: handlers run one at a time).</summary>
    public int MaxMsgs { get; init; } = 16;

    /// <summary>
    /// Lifetime of one pull request. A restarted server forgets open pull requests; the client notices when
    /// this expires, so it bounds how long a consumer stays idle after a NATS restart (30 s by default, measured).
    /// </summary>
    public TimeSpan PullExpires { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Heartbeat the server sends during a pull; missing ones tell the client the pull is gone.</summary>
    public TimeSpan IdleHeartbeat { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest a handler may run before it is cancelled and the message retried (below <see cref="AckWait"/>).</summary>
    public TimeSpan HandlerTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>First delay of a failed message; doubles per delivery up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a publish right after a write may take before the relay is left to do it.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The settings from configuration (the <c>NATS_*</c> environment variables), for <paramref name="serviceName"/>.</summary>
    public static MessagingOptions From(IConfiguration configuration, string serviceName, string url) =>
        new MessagingOptions
        {
            ServiceName = serviceName,
            Url = url,
            Provision = configuration.Bool("NATS_PROVISION", false),
            Replicas = configuration.Int("NATS_STREAM_REPLICAS", 1, 1, 5),
            StreamMaxBytes = configuration.Long("NATS_STREAM_MAX_BYTES", 768L * 1024 * 1024, 1024 * 1024),
            DeadLetterMaxBytes = configuration.Long("NATS_DEADLETTER_MAX_BYTES", 128L * 1024 * 1024, 1024 * 1024),
            StreamMaxAge = TimeSpan.FromDays(configuration.Int("NATS_STREAM_MAX_AGE_DAYS", 365, 1, 36_500)),
            StrictStreamSettings = configuration.Bool("NATS_STREAM_STRICT", false),
            MaxDeliver = configuration.Int("NATS_MAX_DELIVER", 10, 1, 1000),
            RetryDelay = configuration.Milliseconds("NATS_RETRY_DELAY_MS", TimeSpan.FromSeconds(1), 1, 600_000),
            MaxRetryDelay = configuration.Milliseconds("NATS_MAX_RETRY_DELAY_MS", TimeSpan.FromSeconds(30), 1, 3_600_000),
            AckWait = configuration.Milliseconds("NATS_ACK_WAIT_MS", TimeSpan.FromSeconds(30), 300, 3_600_000),
            HandlerTimeout = configuration.Milliseconds("NATS_HANDLER_TIMEOUT_MS", TimeSpan.FromSeconds(20), 10, 3_600_000),
            SpareDeliveries = configuration.Int("NATS_SPARE_DELIVERIES", 10, 1, 1000),
            OutageParkAfter = configuration.Seconds("NATS_OUTAGE_PARK_AFTER_S", TimeSpan.FromHours(6), 1, 30 * 24 * 3600),
        };

    /// <summary>Delay before the nth redelivery (n = deliveries so far), doubling up to the cap.</summary>
    public TimeSpan BackoffFor(int deliveries)
    {
        var factor = Math.Pow(2, Math.Clamp(deliveries - 1, 0, 16));
        var delay = TimeSpan.FromTicks((long)Math.Min(RetryDelay.Ticks * factor, MaxRetryDelay.Ticks));
        return delay;
    }
}
