using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Ticketing.Common.Events;
using Ticketing.Common.Hosting;

namespace Ticketing.Common.Messaging;

/// <summary>
/// Runs one durable pull consumer, <c>&lt;service&gt;-&lt;event&gt;</c>, for one event type and hands each
/// message to <see cref="IEventHandler{TEvent}"/> in a fresh DI scope, one message at a time.
/// <list type="bullet">
/// <item>Durable, explicit ack, one <c>FilterSubject</c>, delivery from the start of the stream on first
/// start; replicas of a service share it and split the work.</item>
/// <item>Outcomes: ack; retry (NAK with delay, backoff on exceptions); park (dead-letter subject, log,
/// terminate). A message the handler keeps asking to retry, or that keeps throwing, is parked after
/// <see cref="MessagingOptions.MaxDeliver"/> deliveries; an undecodable one is parked at once.</item>
/// <item>A dependency that is down (<see cref="DependencyFailure.IsTransient"/>: the database or NATS unreachable,
/// a timeout) is not the message's fault: the consumer keeps the message in hand and tries it again with backoff,
/// which pauses this consumer until the dependency is back. Such failures use up no delivery; the message is parked
/// only when the outage outlasts <see cref="MessagingOptions.OutageParkAfter"/> (hours).</item>
/// <item>Messages are pulled a small batch at a time and every message held (waiting its turn or waiting for a
/// dependency) gets an in-progress ack every <see cref="MessagingOptions.KeepAliveInterval"/>, so none passes
/// <c>AckWait</c> and gets redelivered without a real attempt.</item>
/// <item>The server never drops a message (no server-side MaxDeliver): a message delivered
/// <see cref="MessagingOptions.ParkOnDelivery"/> times (earlier deliveries ended with no outcome, e.g. its handler
/// crashed the process) is parked on receipt without reaching the handler.</item>
/// <item>The consumer is created by the provisioning step (<see cref="NatsProvisioning"/>, from
/// <see cref="ConsumerCatalogue"/>); this class only looks it up. A missing one is logged ("run the provisioning
/// step"), fails readiness and is looked for again with backoff; with <see cref="MessagingOptions.Provision"/> the
/// service creates it itself, with the same configuration.</item>
/// <item>Connection trouble, or a stream or consumer that vanished, ends the pull loop; it starts again with
/// backoff until the service stops.</item>
/// <item>On shutdown the message in hand is finished, then the loop stops; the consumer stays on the server.</item>
/// </list>
/// </summary>
public sealed class EventConsumer<TEvent>(
    IServiceScopeFactory scopeFactory,
    INatsJSContext jetStream,
    JetStreamTopology topology,
    MessagingOptions options,
    TimeProvider timeProvider,
    ProvisioningState provisioning,
    ILogger<EventConsumer<TEvent>> logger) : BackgroundService
    where TEvent : IIntegrationEvent<TEvent>
{
    /// <summary>The durable consumer's name, for example <c>tickets-order-created-v1</c>.</summary>
    public static string ConsumerName(string serviceName) => ConsumerCatalogue.ConsumerName(serviceName, TEvent.Subject);

    private string Name { get; } = ConsumerName(options.ServiceName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var consumer = await EnsureConsumerAsync(stoppingToken);
                if (failures > 0)
                {
                    logger.LogInformation("Consumer {Consumer} is consuming again", Name);
                }

                failures = 0;
                while (!stoppingToken.IsCancellationRequested)
                {
                    var batch = await PullAsync(consumer, stoppingToken);
                    if (batch.Count > 0)
                    {
                        await ProcessBatchAsync(batch, stoppingToken);
                    }
                    else
                    {
                        // An idle pull cannot tell "nothing new" from "the stream or consumer was deleted" (some pulls
                        // just end empty): ask for the consumer, which throws when it is gone, and is set up again below.
                        await consumer.RefreshAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                if (ex is NatsJSApiException or NatsJSProtocolException or NatsNoRespondersException or NotProvisionedException)
                {
                    // The stream or the consumer may be gone (a server that lost its store): set them up again.
                    topology.Invalidate();
                }

                var delay = options.BackoffFor(failures);
                if (ex is NotProvisionedException)
                {
                    // Not a fault of this service: say what to do, without a stack trace every few seconds.
                    logger.LogWarning("Consumer {Consumer} cannot start: {Error}; looking again in {Delay}", Name, ex.Message, delay);
                }
                else
                {
                    logger.LogWarning(ex, "Consumer {Consumer} stopped ({Error}); starting again in {Delay}", Name, ex.Message, delay);
                }
                try
                {
                    await Task.Delay(delay, timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task<INatsJSConsumer> EnsureConsumerAsync(CancellationToken cancellationToken)
    {
        await topology.EnsureAsync(cancellationToken);
        if (options.Provision)
        {
            await NatsProvisioning.CreateConsumerAsync(jetStream, options, options.ServiceName, TEvent.Subject, cancellationToken);
        }

        INatsJSConsumer consumer;
        try
        {
            consumer = await jetStream.GetConsumerAsync(options.StreamName, Name, cancellationToken);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            provisioning.Missing(Name);
            throw new NotProvisionedException($"durable consumer {options.StreamName}/{Name}");
        }

        provisioning.Found(Name);
        if (consumer.Info.Config.AckWait != options.AckWait)
        {
            logger.LogWarning(
                "Consumer {Consumer} has an ack wait of {ServerAckWait}, this service expects {AckWait} (NATS_ACK_WAIT_MS): provision with the same setting",
                Name, consumer.Info.Config.AckWait, options.AckWait);
        }

        return consumer;
    }

    /// <summary>
    /// Takes what is waiting, up to <see cref="MessagingOptions.MaxMsgs"/>, without waiting; when nothing is, waits
    /// (up to <see cref="MessagingOptions.PullExpires"/>) for the next message. Every message pulled is in hand, so
    /// none sits unseen in a client buffer while its ack deadline runs out.
    /// </summary>
    private async Task<List<INatsJSMsg<byte[]>>> PullAsync(INatsJSConsumer consumer, CancellationToken cancellationToken)
    {
        var batch = new List<INatsJSMsg<byte[]>>(options.MaxMsgs);
        // A pull request lost with a server restart may never be answered: bound each pull on our side too.
        using var pullTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        pullTimeout.CancelAfter(options.PullExpires + (options.IdleHeartbeat * 2));
        try
        {
            await foreach (var message in consumer.FetchNoWaitAsync(new NatsJSFetchOpts { MaxMsgs = options.MaxMsgs }, NatsRawSerializer<byte[]>.Default, pullTimeout.Token))
            {
                batch.Add(message);
            }

            if (batch.Count == 0)
            {
                var next = await consumer.NextAsync(
                    NatsRawSerializer<byte[]>.Default,
                    new NatsJSNextOpts { Expires = options.PullExpires, IdleHeartbeat = options.IdleHeartbeat },
                    pullTimeout.Token);
                if (next is { } message)
                {
                    batch.Add(message);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug("Consumer {Consumer}: a pull went unanswered; pulling again", Name);
        }

        return batch;
    }

    /// <summary>Handles a batch one message at a time while keeping the ack deadline of every unfinished one alive.</summary>
    private async Task ProcessBatchAsync(List<INatsJSMsg<byte[]>> batch, CancellationToken stoppingToken)
    {
        var held = new HeldMessages(batch);
        using var keepAliveStop = new CancellationTokenSource();
        var keepAlive = KeepAliveAsync(held, keepAliveStop.Token);
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    // Shutting down: hand the rest back at once so another replica takes them.
                    for (var j = i; j < batch.Count; j++)
                    {
                        await held.FinishAsync(j, m => m.NakAsync());
                    }

                    return;
                }

                await ProcessAsync(held, i, stoppingToken);
            }
        }
        finally
        {
            await keepAliveStop.CancelAsync();
            await keepAlive;
        }
    }

    private async Task KeepAliveAsync(HeldMessages held, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.KeepAliveInterval, timeProvider, cancellationToken);
                await held.KeepAliveAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // NATS is unreachable: the messages will be redelivered; the ack of the one in hand will fail too.
            logger.LogDebug(ex, "Consumer {Consumer} could not extend its messages' ack deadline", Name);
        }
    }

    private async Task ProcessAsync(HeldMessages held, int index, CancellationToken stoppingToken)
    {
        var message = held[index];
        var metadata = message.Metadata;
        var deliveries = (int)(metadata?.NumDelivered ?? 1);
        var context = new EventContext(
            message.Subject,
            Header(message, MessageHeaders.MessageId),
            metadata?.Sequence.Stream ?? 0,
            deliveries,
            DateTimeOffset.TryParse(Header(message, MessageHeaders.OccurredAt), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null);

        using var activity = MessagingTelemetry.Source.StartActivity(
            $"{message.Subject} process",
            ActivityKind.Consumer,
            MessagingTelemetry.ParentFrom(Header(message, MessageHeaders.TraceParent), Header(message, MessageHeaders.TraceState)));
        activity?.SetTag("messaging.system", "nats");
        activity?.SetTag("messaging.consumer.group.name", Name);
        activity?.SetTag("messaging.message.id", context.MessageId);
        activity?.SetTag("messaging.delivery.count", deliveries);

        if (!TryDecode(message, out var @event, out var decodeError))
        {
            await ParkAsync(held, index, context, $"undecodable {typeof(TEvent).Name}: {decodeError}");
            return;
        }

        if (deliveries >= options.ParkOnDelivery)
        {
            // Earlier deliveries ended with no outcome (the handler crashed the process, or it was killed):
            // do not hand it over again, dead-letter it while it can still be.
            await ParkAsync(held, index, context, $"delivered {deliveries} times without an outcome (the handler may crash the process)");
            return;
        }

        var outcome = await HandleUntilDependenciesAnswerAsync(@event, context, stoppingToken);
        switch (outcome?.Decision)
        {
            case null:
                // Stopping while a dependency is down: hand it back for whoever runs next.
                await held.FinishAsync(index, m => m.NakAsync());
                break;
            case HandlerDecision.Ack:
                await held.FinishAsync(index, m => m.AckAsync());
                Count("ack");
                break;
            case HandlerDecision.Retry when deliveries >= options.MaxDeliver:
                await ParkAsync(held, index, context, $"gave up after {deliveries} deliveries: {outcome.Value.Reason}");
                break;
            case HandlerDecision.Retry:
                var delay = outcome.Value.Delay ?? options.BackoffFor(deliveries);
                logger.LogInformation(
                    "Consumer {Consumer} will retry message {MessageId} (delivery {Deliveries}) in {Delay}: {Reason}",
                    Name, context.MessageId, deliveries, delay, outcome.Value.Reason);
                await held.FinishAsync(index, m => m.NakAsync(new AckOpts { NakDelay = delay }));
                Count("retry");
                break;
            case HandlerDecision.Park:
                await ParkAsync(held, index, context, outcome.Value.Reason ?? "parked by its handler");
                break;
        }
    }

    /// <summary>
    /// Runs the handler; while it fails because a dependency is down, waits with backoff and runs it again, keeping
    /// the message (the consumer pauses). Returns the handler's outcome, a park outcome once the outage has lasted
    /// <see cref="MessagingOptions.OutageParkAfter"/>, or null when the service stops meanwhile.
    /// </summary>
    private async Task<HandlerOutcome?> HandleUntilDependenciesAnswerAsync(TEvent @event, EventContext context, CancellationToken stoppingToken)
    {
        DateTimeOffset? outageSince = null;
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            var (outcome, transient) = await HandleAsync(@event, context);
            MessagingTelemetry.HandleDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("consumer", Name));
            if (transient is null)
            {
                if (outageSince is { } since)
                {
                    logger.LogInformation(
                        "Consumer {Consumer} handled message {MessageId} after waiting {Waited} for a dependency",
                        Name, context.MessageId, timeProvider.GetUtcNow() - since);
                }

                return outcome;
            }

            var now = timeProvider.GetUtcNow();
            outageSince ??= now;
            if (now - outageSince >= options.OutageParkAfter)
            {
                return HandlerOutcome.Park($"a dependency stayed unavailable for {now - outageSince}: {transient.Message}");
            }

            var delay = options.BackoffFor(attempt);
            if (attempt == 1)
            {
                logger.LogWarning(
                    "Consumer {Consumer} pauses: a dependency is unavailable ({Error}); message {MessageId} is kept and tried again with backoff",
                    Name, transient.Message, context.MessageId);
            }
            else
            {
                logger.LogDebug("Consumer {Consumer} still waiting for a dependency ({Error}); next try in {Delay}", Name, transient.Message, delay);
            }

            Count("wait");
            try
            {
                await Task.Delay(delay, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    /// <summary>The handler's outcome; a dependency failure (or a handler timeout) is returned as the exception instead.</summary>
    private async Task<(HandlerOutcome Outcome, Exception? Transient)> HandleAsync(TEvent @event, EventContext context)
    {
        using var timeout = new CancellationTokenSource(options.HandlerTimeout, timeProvider);
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService<IEventHandler<TEvent>>();
            return (await handler.HandleAsync(@event, context, timeout.Token), null);
        }
        catch (Exception ex) when (DependencyFailure.IsTransient(ex) || (ex is OperationCanceledException && timeout.IsCancellationRequested))
        {
            logger.LogDebug(ex, "Handler for {Subject} could not reach a dependency on message {MessageId}", context.Subject, context.MessageId);
            return (default, ex);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Handler for {Subject} failed on message {MessageId} (delivery {Deliveries})", context.Subject, context.MessageId, context.Deliveries);
            Activity.Current?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return (HandlerOutcome.Retry(ex.Message), null);
        }
    }

    private static bool TryDecode(INatsJSMsg<byte[]> message, out TEvent @event, out string? error)
    {
        @event = default!;
        error = null;
        if (message.Data is not { Length: > 0 } data)
        {
            error = "empty body";
            return false;
        }

        try
        {
            @event = EventJson.Deserialize<TEvent>(data);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException or FormatException)
        {
            error = ex.Message;
            return false;
        }
    }

    private async Task ParkAsync(HeldMessages held, int index, EventContext context, string reason)
    {
        var message = held[index];
        logger.LogError(
            "Consumer {Consumer} parked message {MessageId} (stream sequence {Sequence}, delivery {Deliveries}): {Reason}",
            Name, context.MessageId, context.StreamSequence, context.Deliveries, reason);
        Activity.Current?.SetStatus(ActivityStatusCode.Error, reason);

        var headers = new NatsHeaders();
        if (message.Headers is { } original)
        {
            foreach (var (key, value) in original)
            {
                headers[key] = value;
            }
        }

        headers[MessageHeaders.MessageId] = $"{Name}:{context.StreamSequence}";
        headers[MessageHeaders.ParkedReason] = reason.Length > 1000 ? reason[..1000] : reason;
        headers[MessageHeaders.ParkedBy] = Name;
        headers[MessageHeaders.Deliveries] = context.Deliveries.ToString(CultureInfo.InvariantCulture);
        headers[MessageHeaders.OriginalSubject] = message.Subject;
        if (context.MessageId is { } originalId)
        {
            headers[MessageHeaders.OriginalMessageId] = originalId;
        }

        try
        {
            var ack = await jetStream.PublishAsync(
                JetStreamTopology.DeadLetterSubject(options.ServiceName, message.Subject),
                message.Data ?? [],
                NatsRawSerializer<byte[]>.Default,
                new NatsJSPubOpts { MsgId = $"{Name}:{context.StreamSequence}" },
                headers);
            if (ack.Error is { } error)
            {
                throw new NatsJSApiException(error);
            }
        }
        catch (Exception ex)
        {
            // Never drop it silently: leave it for a later delivery to park again.
            logger.LogError(ex, "Could not dead-letter message {MessageId}; it will be delivered again", context.MessageId);
            await held.FinishAsync(index, m => m.NakAsync(new AckOpts { NakDelay = options.MaxRetryDelay }));
            Count("retry");
            return;
        }

        await held.FinishAsync(index, m => m.AckTerminateAsync());
        Count("park");
    }

    private void Count(string outcome) =>
        MessagingTelemetry.Handled.Add(1,
            new KeyValuePair<string, object?>("consumer", Name),
            new KeyValuePair<string, object?>("outcome", outcome));

    private static string? Header(INatsJSMsg<byte[]> message, string name) =>
        message.Headers is { } headers && headers.TryGetValue(name, out var values) ? values.ToString() : null;
}

/// <summary>
/// The messages of one pulled batch and which of them are finished (acked, retried or parked). Finishing one and
/// extending the deadline of the unfinished ones never run at the same time on the same message.
/// </summary>
internal sealed class HeldMessages(List<INatsJSMsg<byte[]>> messages)
{
    private readonly bool[] _finished = new bool[messages.Count];
    private readonly SemaphoreSlim _gate = new(1, 1);

    public INatsJSMsg<byte[]> this[int index] => messages[index];

    public async Task FinishAsync(int index, Func<INatsJSMsg<byte[]>, ValueTask> finish)
    {
        await _gate.WaitAsync();
        try
        {
            _finished[index] = true;
            await finish(messages[index]);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var i = 0; i < messages.Count; i++)
            {
                if (!_finished[i])
                {
                    await messages[i].AckProgressAsync(cancellationToken: cancellationToken);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
