using Microsoft.Extensions.Logging;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Hosting;

namespace Ticketing.Common.Messaging;

/// <summary>
/// The streams: <c>TICKETING</c> over <c>ticketing.&gt;</c> (file storage, duplicate window, explicit size and age
/// limits) and the dead-letter stream. The provisioning step (<see cref="NatsProvisioning"/>, with the admin
/// identity) creates them with <see cref="CreateMissingAsync"/>; a service only looks them up in
/// <see cref="EnsureAsync"/> (at start and whenever a publish or a consumer finds no stream), and a missing one is a
/// <see cref="NotProvisionedException"/> (readiness fails, the caller retries) unless the service provisions for
/// itself (<see cref="MessagingOptions.Provision"/>). Creating only ever creates a missing stream: an existing stream
/// is never updated (one misconfigured service must not shrink a 3-replica stream or wipe an operator's limits). A
/// stream whose settings differ from these is reported with a warning, or stops the service when
/// <see cref="MessagingOptions.StrictStreamSettings"/> is set.
/// </summary>
public sealed class JetStreamTopology(INatsJSContext jetStream, MessagingOptions options, ILogger<JetStreamTopology> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ensured;

    public const string EventSubjects = "ticketing.>";
    public const string DeadLetterSubjectPrefix = "deadletter";

    /// <summary>The subject a message parked by <paramref name="serviceName"/> goes to.</summary>
    public static string DeadLetterSubject(string serviceName, string originalSubject) =>
        $"{DeadLetterSubjectPrefix}.{serviceName}.{originalSubject}";

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (_ensured)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_ensured)
            {
                return;
            }

            if (options.Provision)
            {
                await CreateMissingAsync(cancellationToken);
            }
            else
            {
                await CheckStreamAsync(EventStream(), cancellationToken);
                await CheckStreamAsync(DeadLetterStream(), cancellationToken);
            }

            _ensured = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The event stream as this service would create it.</summary>
    public StreamConfig EventStream() =>
        Stream(options.StreamName, EventSubjects, "Ticketing integration events", options.StreamMaxBytes, options.StreamMaxAge);

    /// <summary>The dead-letter stream as this service would create it.</summary>
    public StreamConfig DeadLetterStream() =>
        Stream(options.DeadLetterStreamName, $"{DeadLetterSubjectPrefix}.>", "Ticketing messages a consumer parked (dead letters)",
            options.DeadLetterMaxBytes, options.StreamMaxAge);

    private StreamConfig Stream(string name, string subjects, string description, long maxBytes, TimeSpan maxAge) => new(name, [subjects])
    {
        Storage = StreamConfigStorage.File,
        Retention = StreamConfigRetention.Limits,
        // Full means publishes are refused (and the outbox keeps the events, visible in readiness), never that old
        // events silently disappear under a replica that has not read them.
        Discard = StreamConfigDiscard.New,
        MaxBytes = maxBytes,
        MaxAge = maxAge,
        DuplicateWindow = options.DuplicateWindow,
        NumReplicas = options.Replicas,
        Description = description,
    };

    /// <summary>Creates each stream that is missing (the provisioning step); returns what it did, one line per stream.</summary>
    public async Task<IReadOnlyList<string>> CreateMissingAsync(CancellationToken cancellationToken)
    {
        return
        [
            await EnsureStreamAsync(EventStream(), cancellationToken),
            await EnsureStreamAsync(DeadLetterStream(), cancellationToken),
        ];
    }

    /// <summary>Looks a stream up (STREAM.INFO, all a service may do): missing is <see cref="NotProvisionedException"/>.</summary>
    private async Task CheckStreamAsync(StreamConfig wanted, CancellationToken cancellationToken)
    {
        StreamConfig existing;
        try
        {
            existing = (await jetStream.GetStreamAsync(wanted.Name!, cancellationToken: cancellationToken)).Info.Config;
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            throw new NotProvisionedException($"stream {wanted.Name}");
        }

        ReportDifferences(existing, wanted);
    }

    /// <summary>Forget that the streams were seen (a publish found none: the server lost its store).</summary>
    public void Invalidate() => _ensured = false;

    private async Task<string> EnsureStreamAsync(StreamConfig wanted, CancellationToken cancellationToken)
    {
        // Two services starting together may both try to create: the loser finds the winner's stream next time round.
        for (var attempt = 1; ; attempt++)
        {
            StreamConfig existing;
            try
            {
                existing = (await jetStream.GetStreamAsync(wanted.Name!, cancellationToken: cancellationToken)).Info.Config;
            }
            catch (NatsJSApiException ex) when (ex.Error.Code == 404)
            {
                try
                {
                    await jetStream.CreateStreamAsync(wanted, cancellationToken);
                    logger.LogInformation(
                        "Created stream {Stream} (replicas {Replicas}, max {MaxBytes} bytes, max age {MaxAge})",
                        wanted.Name, wanted.NumReplicas, wanted.MaxBytes, wanted.MaxAge);
                    return $"stream {wanted.Name}: created";
                }
                catch (NatsJSApiException race) when (attempt < 3)
                {
                    logger.LogDebug(race, "Creating stream {Stream} raced with another service; looking again", wanted.Name);
                    continue;
                }
            }

            var differences = ReportDifferences(existing, wanted);
            return differences.Count == 0
                ? $"stream {wanted.Name}: exists"
                : $"stream {wanted.Name}: exists with other settings, left as it is ({string.Join("; ", differences)})";
        }
    }

    private IReadOnlyList<string> ReportDifferences(StreamConfig existing, StreamConfig wanted)
    {
        var differences = Differences(existing, wanted);
        if (differences.Count > 0)
        {
            var summary = string.Join("; ", differences);
            if (options.StrictStreamSettings)
            {
                throw new InvalidSettingException(
                    "NATS_STREAM_STRICT",
                    $"is on and stream {wanted.Name} differs from this service's settings ({summary}): align the settings or the stream");
            }

            logger.LogWarning(
                "Stream {Stream} differs from this service's settings and is left as it is ({Differences}); align NATS_STREAM_* or the stream",
                wanted.Name, summary);
        }

        return differences;
    }

    /// <summary>The settings that matter and differ, as "setting: stream has X, this service would use Y".</summary>
    public static IReadOnlyList<string> Differences(StreamConfig existing, StreamConfig wanted)
    {
        var differences = new List<string>();
        void Compare<T>(string what, T actual, T expected)
        {
            if (!EqualityComparer<T>.Default.Equals(actual, expected))
            {
                differences.Add($"{what}: stream has {actual}, service would use {expected}");
            }
        }

        Compare("subjects", string.Join(",", existing.Subjects ?? []), string.Join(",", wanted.Subjects ?? []));
        Compare("replicas", existing.NumReplicas, wanted.NumReplicas);
        Compare("storage", existing.Storage, wanted.Storage);
        Compare("max bytes", existing.MaxBytes, wanted.MaxBytes);
        Compare("max age", existing.MaxAge, wanted.MaxAge);
        Compare("discard", existing.Discard, wanted.Discard);
        Compare("duplicate window", existing.DuplicateWindow, wanted.DuplicateWindow);
        return differences;
    }
}

/// <summary>
/// A stream, durable consumer or bucket this service needs does not exist, and this service may not create it: the
/// provisioning step has not run against this server (or the server lost its store). Readiness reports it and the
/// service keeps looking.
/// </summary>
public sealed class NotProvisionedException(string what)
    : Exception($"{what} does not exist: run the provisioning step (`ticketing nats provision` with the admin identity; the Kubernetes Job nats-provision; the local run does it at start)")
{
    public string What { get; } = what;
}
