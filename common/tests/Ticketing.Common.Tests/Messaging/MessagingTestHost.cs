using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;

namespace Ticketing.Common.Tests.Messaging;

/// <summary>What a test handler saw: every delivery, by which host instance.</summary>
public sealed class HandlerLog
{
    public sealed record Delivery(TicketCreatedV1 Event, EventContext Context, string Instance, string? TraceId);

    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    /// <summary>What the handler answers; acknowledges everything unless a test says otherwise.</summary>
    public Func<TicketCreatedV1, EventContext, HandlerOutcome> Behaviour { get; set; } = (_, _) => HandlerOutcome.Ack;

    public int CountFor(string ticketId) => Deliveries.Count(d => d.Event.Id == ticketId);
}

/// <summary>Records each delivery in the shared <see cref="HandlerLog"/> and answers with its behaviour.</summary>
public sealed class RecordingHandler(HandlerLog log, [FromKeyedServices("instance")] string instance) : IEventHandler<TicketCreatedV1>
{
    public Task<HandlerOutcome> HandleAsync(TicketCreatedV1 @event, EventContext context, CancellationToken cancellationToken)
    {
        log.Deliveries.Enqueue(new(@event, context, instance, System.Diagnostics.Activity.Current?.TraceId.ToString()));
        return Task.FromResult(log.Behaviour(@event, context));
    }
}

/// <summary>A generic host with the messaging of one service, as a service would run it.</summary>
public static class MessagingTestHost
{
    public static async Task<IHost> StartAsync(
        string natsUrl,
        string serviceName,
        HandlerLog? log = null,
        string instance = "a",
        IDictionary<string, string?>? settings = null,
        Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NATS_URL"] = natsUrl,
            // Made-up services on an open nats-server: they create their streams and consumers themselves.
            ["NATS_PROVISION"] = "true",
            ["NATS_MAX_DELIVER"] = "3",
            ["NATS_RETRY_DELAY_MS"] = "50",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddMessaging(serviceName);
        if (log is not null)
        {
            builder.Services.AddSingleton(log);
            builder.Services.AddKeyedSingleton("instance", instance);
            builder.Services.AddEventHandler<TicketCreatedV1, RecordingHandler>();
        }

        configure?.Invoke(builder);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public static TicketCreatedV1 NewTicket(string? title = null) =>
        new(Ticketing.Common.Storage.DocumentIds.New(), 0, title ?? "Concert", 25m, Ticketing.Common.Storage.DocumentIds.New());

    public static Task PublishAsync(this IHost host, TicketCreatedV1 ticket) =>
        host.Services.GetRequiredService<IEventPublisher>().PublishAsync(ticket, TimeProvider.System);
}
