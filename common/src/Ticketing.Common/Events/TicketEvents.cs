using System.Text.Json.Serialization;

namespace Ticketing.Common.Events;

/// <summary>A ticket was put up for sale (its version is 0). Published by tickets.</summary>
public sealed record TicketCreatedV1(string Id, long Version, string Title, decimal Price, string UserId)
    : IIntegrationEvent<TicketCreatedV1>
{
    public static string Subject => "ticketing.ticket.created.v1";
    public static int SchemaVersion => 1;

    [JsonIgnore]
    public string MessageId => $"ticket.created.v1:{Id}:v{Version}";
}

/// <summary>
/// A ticket changed: edited, reserved, released or sold. Consumers apply it only on top of
/// <c>Version - 1</c>. Published by tickets.
/// </summary>
public sealed record TicketUpdatedV1(
    string Id,
    long Version,
    string Title,
    decimal Price,
    string UserId,
    string? OrderId,
    TicketStatus Status) : IIntegrationEvent<TicketUpdatedV1>
{
    public static string Subject => "ticketing.ticket.updated.v1";
    public static int SchemaVersion => 1;

    [JsonIgnore]
    public string MessageId => $"ticket.updated.v1:{Id}:v{Version}";
}
