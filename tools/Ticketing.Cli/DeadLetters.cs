using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Messaging;

namespace Ticketing.Cli;

/// <summary>A parked message as the dead-letter stream holds it.</summary>
public sealed record DeadLetter(
    ulong Sequence,
    TimeSpan Age,
    string Subject,
    string OriginalSubject,
    string Consumer,
    string Deliveries,
    string Reason,
    string? OriginalMessageId);

/// <summary>What a replay did.</summary>
public sealed record ReplayResult(bool Succeeded, string Message);

/// <summary>
/// Reads <c>TICKETING_DEADLETTER</c> (what consumers parked, with why, by whom and after how many deliveries) and
/// publishes chosen messages again to their original subject. It uses its own ordered consumers, never a service's
/// durable one, so reading changes nothing.
/// </summary>
public sealed class DeadLetters(INatsJSContext jetStream, string deadLetterStream = "TICKETING_DEADLETTER", string eventStream = "TICKETING")
{
    private static readonly string[] ParkingHeaders =
    [
        MessageHeaders.ParkedReason, MessageHeaders.ParkedBy, MessageHeaders.Deliveries,
        MessageHeaders.OriginalSubject, MessageHeaders.OriginalMessageId, MessageHeaders.MessageId,
    ];

    /// <summary>Every parked message (of <paramref name="service"/> when given), oldest first.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string? service = null, CancellationToken cancellationToken = default)
    {
        var filter = service is null ? $"{JetStreamTopology.DeadLetterSubjectPrefix}.>" : JetStreamTopology.DeadLetterSubject(service, ">");
        var consumer = await jetStream.CreateOrderedConsumerAsync(
            deadLetterStream, new NatsJSOrderedConsumerOpts { FilterSubjects = [filter] }, cancellationToken);
        var letters = new List<DeadLetter>();
        int fetched;
        do
        {
            fetched = 0;
            await foreach (var message in consumer.FetchNoWaitAsync(new NatsJSFetchOpts { MaxMsgs = 500 }, NatsRawSerializer<byte[]>.Default, cancellationToken))
            {
                letters.Add(ToDeadLetter(message));
                fetched++;
            }
        }
        while (fetched > 0);

        // Servers before 2.10 ignore a consumer's FilterSubjects: filter here too.
        var prefix = service is null ? null : JetStreamTopology.DeadLetterSubject(service, "");
        return prefix is null ? letters : [.. letters.Where(l => l.Subject.StartsWith(prefix, StringComparison.Ordinal))];
    }

    /// <summary>
    /// Publishes dead letter <paramref name="sequence"/> to its original subject with its original <c>Nats-Msg-Id</c>
    /// (or a new one), then deletes it from the dead-letter stream unless <paramref name="keep"/>. A publish the event
    /// stream drops as a duplicate (its duplicate window still remembers the id) is reported, not deleted.
    /// </summary>
    public async Task<ReplayResult> ReplayAsync(ulong sequence, bool dryRun, bool newId, bool keep, CancellationToken cancellationToken = default)
    {
        var consumer = await jetStream.CreateOrderedConsumerAsync(
            deadLetterStream,
            new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence, OptStartSeq = sequence },
            cancellationToken);
        INatsJSMsg<byte[]>? found = null;
        await foreach (var message in consumer.FetchNoWaitAsync(new NatsJSFetchOpts { MaxMsgs = 1 }, NatsRawSerializer<byte[]>.Default, cancellationToken))
        {
            found = message;
        }

        if (found is null || found.Metadata?.Sequence.Stream != sequence)
        {
            return new(false, $"no dead letter with sequence {sequence} in {deadLetterStream}");
        }

        var letter = ToDeadLetter(found);
        if (letter.OriginalSubject.Length == 0)
        {
            return new(false, "the dead letter does not say its original subject");
        }

        if (letter.OriginalMessageId is null && !newId)
        {
            return new(false, "the dead letter has no original message id (parked before ids were kept): replay it with --new-id");
        }

        var messageId = newId ? $"{letter.OriginalMessageId ?? letter.Consumer}:replay-{sequence}" : letter.OriginalMessageId!;
        if (dryRun)
        {
            return new(true, $"dry run: would publish {found.Data?.Length ?? 0} bytes to {letter.OriginalSubject} as {messageId} (parked by {letter.Consumer}: {letter.Reason})");
        }

        var headers = new NatsHeaders();
        foreach (var (key, value) in found.Headers ?? new NatsHeaders())
        {
            if (!ParkingHeaders.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                headers[key] = value;
            }
        }

        headers[MessageHeaders.MessageId] = messageId;
        var ack = await jetStream.PublishAsync(
            letter.OriginalSubject, found.Data ?? [], NatsRawSerializer<byte[]>.Default,
            new NatsJSPubOpts { MsgId = messageId }, headers, cancellationToken);
        if (ack.Error is null && ack.Duplicate)
        {
            var window = (await jetStream.GetStreamAsync(eventStream, cancellationToken: cancellationToken)).Info.Config.DuplicateWindow;
            return new(false,
                $"{eventStream} dropped the replay as a duplicate: it still remembers {messageId} (duplicate window {window}). " +
                "Wait until the window has passed since the original publish, or replay with --new-id. The dead letter is kept.");
        }

        ack.EnsureSuccess();
        if (!keep)
        {
            await jetStream.DeleteMessageAsync(deadLetterStream, new StreamMsgDeleteRequest { Seq = sequence }, cancellationToken);
        }

        return new(true, $"replayed to {letter.OriginalSubject} as {messageId} (event stream sequence {ack.Seq}){(keep ? "; dead letter kept" : "; dead letter deleted")}");
    }

    private static DeadLetter ToDeadLetter(INatsJSMsg<byte[]> message)
    {
        string? Header(string name) => message.Headers is { } headers && headers.TryGetValue(name, out var value) ? value.ToString() : null;
        var timestamp = message.Metadata?.Timestamp ?? DateTimeOffset.UtcNow;
        return new DeadLetter(
            message.Metadata?.Sequence.Stream ?? 0,
            DateTimeOffset.UtcNow - timestamp,
            message.Subject,
            Header(MessageHeaders.OriginalSubject) ?? "",
            Header(MessageHeaders.ParkedBy) ?? "?",
            Header(MessageHeaders.Deliveries) ?? "?",
            Header(MessageHeaders.ParkedReason) ?? "",
            Header(MessageHeaders.OriginalMessageId));
    }
}
