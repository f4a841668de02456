using System.Text.Json.Serialization;

namespace Ticketing.Common.Events;

/// <summary>An order's payment window has passed. Published by expiration at (never before) the order's expiresAt.</summary>
public sealed record ExpirationCompletedV1(string OrderId) : IIntegrationEvent<ExpirationCompletedV1>
{
    public static string Subject => "ticketing.expiration.completed.v1";
    public static int SchemaVersion => 1;

    // One expiration per order: a repeated job run is dropped by the stream.
    [JsonIgnore]
    public string MessageId => $"expiration.completed.v1:{OrderId}";
}
