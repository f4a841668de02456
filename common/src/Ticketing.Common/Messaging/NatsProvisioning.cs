using Microsoft.Extensions.Logging;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using Ticketing.Common.Auth;

namespace Ticketing.Common.Messaging;

/// <summary>
/// Provisioning, the one place streams, durable consumers and the revoked-sessions bucket are created, run with the
/// admin identity (<c>ticketing nats provision</c>: the Kubernetes Job <c>nats-provision</c>, a step of the local run,
/// the test harness). Idempotent: missing streams are created and existing ones never changed
/// (<see cref="JetStreamTopology"/>); every consumer of <see cref="ConsumerCatalogue"/> is created or brought to
/// <see cref="ConsumerCatalogue.Config"/>; the bucket is created when missing. The services themselves may then only
/// look these up, so no service can create a consumer (a push consumer can deliver any stored subject anywhere).
/// </summary>
public sealed class NatsProvisioning(INatsJSContext jetStream, MessagingOptions options, ILoggerFactory loggerFactory)
{
    /// <summary>How long the revoked-sessions bucket keeps a revocation: the longest a token lives (<c>JWT_LIFETIME_SECONDS</c>) plus a minute.</summary>
    public TimeSpan RevokedSessionsMaxAge { get; init; } = new SessionRevocationOptions(null, TimeSpan.FromDays(7)).MaxAge;

    /// <summary>Creates what is missing; returns one line per stream, consumer and bucket saying what it found or did.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(CancellationToken cancellationToken)
    {
        var report = new List<string>();
        var topology = new JetStreamTopology(jetStream, options, loggerFactory.CreateLogger<JetStreamTopology>());
        report.AddRange(await topology.CreateMissingAsync(cancellationToken));
        foreach (var consumer in ConsumerCatalogue.All)
        {
            report.Add(await CreateConsumerAsync(jetStream, options, consumer.Service, consumer.Subject, cancellationToken));
        }

        report.Add(await CreateRevokedSessionsBucketAsync(cancellationToken));
        return report;
    }

    /// <summary>Creates one durable consumer, or updates it to <see cref="ConsumerCatalogue.Config"/>.</summary>
    public static async Task<string> CreateConsumerAsync(INatsJSContext jetStream, MessagingOptions options, string service, string subject, CancellationToken cancellationToken)
    {
        var config = ConsumerCatalogue.Config(options, service, subject);
        await jetStream.CreateOrUpdateConsumerAsync(options.StreamName, config, cancellationToken);
        return $"consumer {options.StreamName}/{config.Name}: ready ({subject})";
    }

    private async Task<string> CreateRevokedSessionsBucketAsync(CancellationToken cancellationToken)
    {
        var kv = new NatsKVContext(jetStream);
        try
        {
            await kv.GetStoreAsync(SessionRevocationOptions.Bucket, cancellationToken);
            return $"bucket {SessionRevocationOptions.Bucket}: exists";
        }
        catch (Exception ex) when (RevokedSessionsWatcher.IsMissingBucket(ex))
        {
            await kv.CreateStoreAsync(new NatsKVConfig(SessionRevocationOptions.Bucket) { MaxAge = RevokedSessionsMaxAge, History = 1 }, cancellationToken);
            return $"bucket {SessionRevocationOptions.Bucket}: created (max age {RevokedSessionsMaxAge})";
        }
    }
}
