using System.Text.Json.Serialization;

namespace Ticketing.Common.Events;

/// <summary>The ticket an order refers to, as order events carry it.</summary>
public sealed record OrderTicketV1(string Id, decimal Price);

/// <summary>Only the ticket id, as cancellation and completion carry it.</summary>
public sealed record OrderTicketRefV1(string Id);

/// <summary>An order reserved a ticket until <see cref="ExpiresAt"/>. Published by orders.</summary>
public sealed record OrderCreatedV1(
    string Id,
    long Version,
    OrderStatus Status,
    string UserId,
    DateTimeOffset ExpiresAt,
    OrderTicketV1 Ticket) : IIntegrationEvent<OrderCreatedV1>
{
    public static string Subject => "ticketing.order.created.v1";
    public static int SchemaVersion => 1;

    [JsonIgnore]
    public string MessageId => $"order.created.v1:{Id}:v{Version}";
}

/// <summary>An order was cancelled (by its buyer or by expiry); its ticket may be released. Published by orders.</summary>
public sealed record OrderCancelledV1(string Id, long Version, OrderTicketRefV1 Ticket)
    : IIntegrationEvent<OrderCancelledV1>
{
    public static string Subject => "ticketing.order.cancelled.v1";
    public static int SchemaVersion => 1;

    [JsonIgnore]
    public string MessageId => $"order.cancelled.v1:{Id}:v{Version}";
}

/// <summary>An order was paid; its ticket is sold. Published by orders.</summary>
public sealed record OrderCompletedV1(string Id, long Version, OrderTicketRefV1 Ticket)
    : IIntegrationEvent<OrderCompletedV1>
{
    public static string Subject => "ticketing.order.completed.v1";
    public static int SchemaVersion => 1;

    [JsonIgnore]
    public string MessageId => $"order.completed.v1:{Id}:v{Version}";
}

/// <summary>
/// A payment arrived for an order that was already cancelled: the order stays cancelled and payments must
/// give the money back. Published by orders, acted on by payments.
/// </summary>
public sealed record OrderRefundRequestedV1(string OrderId, string PaymentId, string StripeId)
    : IIntegrationEvent<OrderRefundRequestedV1>
{
    public static string Subject => "ticketing.order.refund-requested.v1";
    public static int SchemaVersion => 1;

    [JsonIgnore]
    public string MessageId => $"order.refund-requested.v1:{PaymentId}";
}
