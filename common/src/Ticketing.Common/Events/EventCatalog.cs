namespace Ticketing.Common.Events;

/// <summary>Every event contract this package defines, with its subject and schema version.</summary>
public static class EventCatalog
{
    public sealed record Entry(Type Type, string Subject, int SchemaVersion);

    public static IReadOnlyList<Entry> All { get; } =
    [
        Describe<TicketCreatedV1>(),
        Describe<TicketUpdatedV1>(),
        Describe<OrderCreatedV1>(),
        Describe<OrderCancelledV1>(),
        Describe<OrderCompletedV1>(),
        Describe<OrderRefundRequestedV1>(),
        Describe<ExpirationCompletedV1>(),
        Describe<PaymentCreatedV1>(),
    ];

    public static Entry Describe<TEvent>() where TEvent : IIntegrationEvent<TEvent> =>
        new(typeof(TEvent), TEvent.Subject, TEvent.SchemaVersion);
}
