using NATS.Client.JetStream.Models;
using Ticketing.Common.Events;

namespace Ticketing.Common.Messaging;

/// <summary>One durable consumer: <paramref name="Service"/> handles <paramref name="Subject"/> through <see cref="Durable"/>.</summary>
public sealed record CatalogueConsumer(string Service, string Subject)
{
    /// <summary>The durable consumer's name, for example <c>tickets-order-created-v1</c>.</summary>
    public string Durable => ConsumerCatalogue.ConsumerName(Service, Subject);
}

/// <summary>
/// Every durable consumer of the platform, declared once: which service handles which event. The provisioning step
/// (<c>ticketing nats provision</c>) creates exactly these, the permission file (infra/nats/auth.conf) lets each
/// service use exactly its own, and each service's tests check that its <c>AddEventHandler</c> registrations match
/// its entries here. A new handler is one line here, one block of permissions there, and a provisioning run.
/// </summary>
public static class ConsumerCatalogue
{
    public static IReadOnlyList<CatalogueConsumer> All { get; } =
    [
        new("tickets", OrderCreatedV1.Subject),
        new("tickets", OrderCancelledV1.Subject),
        new("tickets", OrderCompletedV1.Subject),
        new("orders", TicketCreatedV1.Subject),
        new("orders", TicketUpdatedV1.Subject),
        new("orders", ExpirationCompletedV1.Subject),
        new("orders", PaymentCreatedV1.Subject),
        new("payments", OrderCreatedV1.Subject),
        new("payments", OrderCancelledV1.Subject),
        new("payments", OrderCompletedV1.Subject),
        new("payments", OrderRefundRequestedV1.Subject),
        new("expiration", OrderCreatedV1.Subject),
        new("expiration", OrderCancelledV1.Subject),
        new("expiration", OrderCompletedV1.Subject),
    ];

    /// <summary>The services that publish events, with the subjects they own (<c>ticketing.&lt;owner&gt;.&gt;</c>).</summary>
    public static IReadOnlyDictionary<string, string> PublishedSubjects { get; } = new Dictionary<string, string>
    {
        ["tickets"] = "ticketing.ticket.>",
        ["orders"] = "ticketing.order.>",
        ["payments"] = "ticketing.payment.>",
        ["expiration"] = "ticketing.expiration.>",
    };

    /// <summary>The catalogue's consumers of <paramref name="service"/>.</summary>
    public static IReadOnlyList<CatalogueConsumer> Of(string service) => [.. All.Where(c => c.Service == service)];

    /// <summary><c>&lt;service&gt;-&lt;subject without "ticketing." with dots as dashes&gt;</c>.</summary>
    public static string ConsumerName(string service, string subject) =>
        $"{service}-{subject["ticketing.".Length..].Replace('.', '-')}";

    /// <summary>
    /// The one configuration of a durable event consumer, used both by the provisioning step and by a service that
    /// provisions for itself (<see cref="MessagingOptions.Provision"/>): pull, explicit ack, one filter subject,
    /// delivery from the start of the stream, no server-side delivery limit (the consumer parks, see EventConsumer).
    /// </summary>
    public static ConsumerConfig Config(MessagingOptions options, string service, string subject) => new(ConsumerName(service, subject))
    {
        FilterSubject = subject,
        AckPolicy = ConsumerConfigAckPolicy.Explicit,
        DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        AckWait = options.AckWait,
        // Unlimited: the server never drops a message silently; the consumer parks it (ParkOnDelivery).
        MaxDeliver = -1,
        MaxAckPending = Math.Max(options.MaxMsgs * 16, 256),
        Description = $"{service} handles {subject}",
    };
}
