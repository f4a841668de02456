using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Ticketing.Payments.Tests.Infrastructure;

/// <summary>Stripe webhook payloads and their <c>Stripe-Signature</c>, made the way Stripe makes them (HMAC-SHA256 of "timestamp.payload").</summary>
public static class StripeEvents
{
    public static string PaymentIntentSucceeded(string intentId, string orderId, long amount = 2000, string? eventId = null) =>
        Event("payment_intent.succeeded", new JsonObject
        {
            ["id"] = intentId,
            ["object"] = "payment_intent",
            ["amount"] = amount,
            ["currency"] = "usd",
            ["status"] = "succeeded",
            ["metadata"] = new JsonObject { ["orderId"] = orderId },
        }, eventId);

    public static string RefundCreated(string refundId, string intentId, string status = "succeeded") =>
        Event("refund.created", new JsonObject
        {
            ["id"] = refundId,
            ["object"] = "refund",
            ["amount"] = 2000,
            ["currency"] = "usd",
            ["payment_intent"] = intentId,
            ["status"] = status,
        });

    public static string Event(string type, JsonObject data, string? eventId = null) => new JsonObject
    {
        ["id"] = eventId ?? $"evt_{Guid.NewGuid():N}",
        ["object"] = "event",
        ["api_version"] = "2024-06-20",
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["type"] = type,
        ["data"] = new JsonObject { ["object"] = data },
    }.ToJsonString();

    /// <summary>The <c>Stripe-Signature</c> header for <paramref name="payload"/>, signed at <paramref name="at"/> (now by default).</summary>
    public static string Sign(string payload, string secret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(signature)}";
    }
}
