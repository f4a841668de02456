using Microsoft.Extensions.Logging;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Hosting;

namespace Ticketing.Common.Messaging;

/// <summary>
/// Makes sure the streams exist: <c>TICKETING</c> over <c>ticketing.&gt;</c> (file storage, duplicate window,
/// explicit size and age limits) and the dead-letter stream. Every service does this at start and whenever a
/// publish or a consumer finds no stream. It only ever creates a missing stream: an existing stream is never
/// updated (one misconfigured service must not shrink a 3-replica stream or wipe an operator's limits). A stream
/// whose settings differ from this service's is reported with a warning, or stops the service when
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

            await EnsureStreamAsync(EventStream(), cancellationToken);
            await EnsureStreamAsync(DeadLetterStream(), cancellationToken);
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

    /// <summary>Forget that the streams were seen (a publish found none: the server lost its store).</summary>
    public void Invalidate() => _ensured = false;

    private async Task EnsureStreamAsync(StreamConfig wanted, CancellationToken cancellationToken)
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
                    return;
                }
                catch (NatsJSApiException race) when (attempt < 3)
                {
                    logger.LogDebug(race, "Creating stream {Stream} raced with another service; looking again", wanted.Name);
                    continue;
                }
            }

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

            return;
        }
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
