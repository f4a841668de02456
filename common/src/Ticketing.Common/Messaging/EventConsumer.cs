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

namespace Ticketing.Common.Messaging;

/// <summary>
/// Runs one durable pull consumer, <c>&lt;service&gt;-&lt;event&gt;</c>, for one event type and hands each
/// message to <see cref="IEventHandler{TEvent}"/> in a fresh DI scope, one message at a time.
/// <list type="bullet">
/// <item>Durable, explicit ack, one <c>FilterSubject</c>, delivery from the start of the stream on first
/// start; replicas of a service share it and split the work.</item>
/// <item>Outcomes: ack; retry (NAK with delay, backoff on exceptions); park (dead-letter subject, log,
/// terminate). A message is parked after <see cref="MessagingOptions.MaxDeliver"/> deliveries, never
/// redelivered forever; an undecodable one is parked at once.</item>
/// <item>Connection trouble ends the consume loop; it is started again with backoff until the service stops.</item>
/// <item>On shutdown the message in hand is finished, then the loop stops; the consumer stays on the server.</item>
/// </list>
/// </summary>
public sealed class EventConsumer<TEvent>(
    IServiceScopeFactory scopeFactory,
    INatsJSContext jetStream,
    JetStreamTopology topology,
    MessagingOptions options,
    TimeProvider timeProvider,
    ILogger<EventConsumer<TEvent>> logger) : BackgroundService
    where TEvent : IIntegrationEvent<TEvent>
{
    /// <summary>The durable consumer's name, for example <c>tickets-order-created-v1</c>.</summary>
    public static string ConsumerName(string serviceName) =>
        $"{serviceName}-{TEvent.Subject["ticketing.".Length..].Replace('.', '-')}";

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
                var consumeOptions = new NatsJSConsumeOpts
                {
                    MaxMsgs = options.MaxMsgs,
                    Expires = options.PullExpires,
                    IdleHeartbeat = options.IdleHeartbeat,
                };
                await foreach (var message in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, consumeOptions, stoppingToken))
                {
                    // Not the stopping token: a message in hand is finished during graceful shutdown.
                    await ProcessAsync(message);
                    if (stoppingToken.IsCancellationRequested)
                    {
                        break;
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
                var delay = options.BackoffFor(failures);
                logger.LogWarning(ex, "Consumer {Consumer} stopped ({Error}); starting again in {Delay}", Name, ex.Message, delay);
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
        var config = new ConsumerConfig(Name)
        {
            FilterSubject = TEvent.Subject,
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
            AckWait = options.AckWait,
            // A few deliveries beyond ours, so a park whose dead-letter publish failed can be tried again.
            MaxDeliver = options.MaxDeliver + 3,
            MaxAckPending = Math.Max(options.MaxMsgs * 16, 256),
            Description = $"{options.ServiceName} handles {TEvent.Subject}",
        };
        return await jetStream.CreateOrUpdateConsumerAsync(options.StreamName, config, cancellationToken);
    }

    private async Task ProcessAsync(INatsJSMsg<byte[]> message)
    {
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
            await ParkAsync(message, context, $"undecodable {typeof(TEvent).Name}: {decodeError}");
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var outcome = await HandleAsync(@event, context);
        MessagingTelemetry.HandleDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("consumer", Name));

        switch (outcome.Decision)
        {
            case HandlerDecision.Ack:
                await message.AckAsync();
                Count("ack");
                break;
            case HandlerDecision.Retry when deliveries >= options.MaxDeliver:
                await ParkAsync(message, context, $"gave up after {deliveries} deliveries: {outcome.Reason}");
                break;
            case HandlerDecision.Retry:
                var delay = outcome.Delay ?? options.BackoffFor(deliveries);
                logger.LogInformation(
                    "Consumer {Consumer} will retry message {MessageId} (delivery {Deliveries}) in {Delay}: {Reason}",
                    Name, context.MessageId, deliveries, delay, outcome.Reason);
                await message.NakAsync(new AckOpts { NakDelay = delay });
                Count("retry");
                break;
            case HandlerDecision.Park:
                await ParkAsync(message, context, outcome.Reason ?? "parked by its handler");
                break;
        }
    }

    private async Task<HandlerOutcome> HandleAsync(TEvent @event, EventContext context)
    {
        using var timeout = new CancellationTokenSource(options.HandlerTimeout, timeProvider);
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService<IEventHandler<TEvent>>();
            return await handler.HandleAsync(@event, context, timeout.Token);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Handler for {Subject} failed on message {MessageId} (delivery {Deliveries})", context.Subject, context.MessageId, context.Deliveries);
            Activity.Current?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return HandlerOutcome.Retry(ex.Message);
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

    private async Task ParkAsync(INatsJSMsg<byte[]> message, EventContext context, string reason)
    {
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
            await message.NakAsync(new AckOpts { NakDelay = options.MaxRetryDelay });
            Count("retry");
            return;
        }

        await message.AckTerminateAsync();
        Count("park");
    }

    private void Count(string outcome) =>
        MessagingTelemetry.Handled.Add(1,
            new KeyValuePair<string, object?>("consumer", Name),
            new KeyValuePair<string, object?>("outcome", outcome));

    private static string? Header(INatsJSMsg<byte[]> message, string name) =>
        message.Headers is { } headers && headers.TryGetValue(name, out var values) ? values.ToString() : null;
}
