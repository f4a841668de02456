using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Ticketing.Common.Messaging;

/// <summary>
/// Traces and metrics of publishing and consuming. A publish span is a child of the request that stored the
/// event (its traceparent travels in the outbox and in the message headers); a consume span continues it,
/// so one trace shows an HTTP request, the publish and every service that handled the event.
/// </summary>
public static class MessagingTelemetry
{
    public const string SourceName = "Ticketing.Messaging";

    public static readonly ActivitySource Source = new(SourceName);

    private static readonly Meter Meter = new(SourceName);

    internal static readonly Counter<long> Published = Meter.CreateCounter<long>("ticketing.messages.published", description: "Events published to JetStream");
    internal static readonly Counter<long> Handled = Meter.CreateCounter<long>("ticketing.messages.handled", description: "Messages handled, by outcome (ack, retry, park)");
    internal static readonly Histogram<double> HandleDuration = Meter.CreateHistogram<double>("ticketing.messages.handle.duration", unit: "ms", description: "Time a handler took");

    internal static ActivityContext ParentFrom(string? traceParent, string? traceState) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context)
            ? context
            : default;
}
