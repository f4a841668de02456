using System.Text.Json.Serialization;

namespace Ticketing.Common.Events;

/// <summary>An order was charged successfully. Published by payments.</summary>
public sealed record PaymentCreatedV1(string Id, string OrderId, string StripeId) : IIntegrationEvent<PaymentCreatedV1>
{
    public static string Subject => "ticketing.payment.created.v1";
    public static int SchemaVersion => 1;

    [JsonIgnore]
    public string MessageId => $"payment.created.v1:{Id}";
}
