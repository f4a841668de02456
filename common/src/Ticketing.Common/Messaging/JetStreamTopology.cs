using Microsoft.Extensions.Logging;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Ticketing.Common.Messaging;

/// <summary>
/// Makes sure the streams exist: <c>TICKETING</c> over <c>ticketing.&gt;</c> (file storage, duplicate window)
/// and the dead-letter stream. Every service does this at start and whenever a publish finds no stream;
/// it is idempotent, so the first service up creates them and the rest find them.
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

            await CreateOrUpdateAsync(Stream(options.StreamName, EventSubjects, "Ticketing integration events"), cancellationToken);
            await CreateOrUpdateAsync(
                Stream(options.DeadLetterStreamName, $"{DeadLetterSubjectPrefix}.>", "Ticketing messages a consumer parked (dead letters)"),
                cancellationToken);
            _ensured = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private StreamConfig Stream(string name, string subjects, string description) => new(name, [subjects])
    {
        Storage = StreamConfigStorage.File,
        Retention = StreamConfigRetention.Limits,
        DuplicateWindow = options.DuplicateWindow,
        NumReplicas = options.Replicas,
        Description = description,
    };

    /// <summary>Forget that the streams were seen (a publish found none: the server lost its store).</summary>
    public void Invalidate() => _ensured = false;

    private async Task CreateOrUpdateAsync(StreamConfig config, CancellationToken cancellationToken)
    {
        // Two services starting together may both try to create: the loser simply finds it on the next try.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await jetStream.CreateOrUpdateStreamAsync(config, cancellationToken);
                return;
            }
            catch (NatsJSApiException ex) when (attempt < 3)
            {
                logger.LogDebug(ex, "Creating stream {Stream} raced with another service; trying again", config.Name);
            }
        }
    }
}
