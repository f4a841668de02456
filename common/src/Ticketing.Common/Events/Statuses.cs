using System.Text.Json.Serialization;

namespace Ticketing.Common.Events;

/// <summary>Where a ticket is in its life. Serialized as lower-case strings on the wire and in APIs.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TicketStatus>))]
public enum TicketStatus
{
    [JsonStringEnumMemberName("available")] Available,
    [JsonStringEnumMemberName("reserved")] Reserved,
    [JsonStringEnumMemberName("sold")] Sold,
}

/// <summary>
/// Where an order is in its life. A ticket counts as reserved while an order for it is
/// <see cref="Created"/>, <see cref="AwaitingPayment"/> or <see cref="Complete"/>.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<OrderStatus>))]
public enum OrderStatus
{
    [JsonStringEnumMemberName("created")] Created,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    [JsonStringEnumMemberName("awaiting:payment")] AwaitingPayment,
    [JsonStringEnumMemberName("complete")] Complete,
}
