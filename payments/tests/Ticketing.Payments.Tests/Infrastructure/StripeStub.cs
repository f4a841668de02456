using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Ticketing.Payments.Tests.Infrastructure;

/// <summary>A request Stripe received: its form fields (Stripe's wire format) and headers.</summary>
public sealed record StripeRequest(string Path, IReadOnlyDictionary<string, string> Form, IReadOnlyDictionary<string, string> Headers)
{
    public string Field(string name) => Form.TryGetValue(name, out var value) ? value : throw new Xunit.Sdk.XunitException($"Stripe received no '{name}'; it got {string.Join(", ", Form.Keys)}");

    public string? IdempotencyKey => Headers.TryGetValue("Idempotency-Key", out var key) ? key : null;
}

/// <summary>
/// Stripe's API as a local WireMock server (Stripe.net's <c>ApiBase</c> points here): answers per order are set up by
/// the test (keyed on the order id Stripe.net sends in the intent's metadata), and every request is recorded so a test
/// can assert exactly what Stripe would have received.
/// </summary>
public sealed class StripeStub : IDisposable
{
    /// <summary>A Stripe-shaped test key: only WireMock ever sees it.</summary>
    public const string TestKey = "sk_test_ticketing_wiremock";

    public const string DeclineMessage = "Your card was declined.";

    private readonly WireMockServer _server = WireMockServer.Start();

    public string Url => _server.Url!;

    /// <summary>POST /v1/payment_intents for <paramref name="orderId"/> answers a succeeded intent <paramref name="intentId"/>.</summary>
    public void IntentSucceeds(string orderId, string intentId, int delayMs = 0) =>
        RespondToIntent(orderId, null, 200, Intent(intentId, orderId, "succeeded"), delayMs);

    /// <summary>POST /v1/payment_intents for the order with <paramref name="token"/> answers Stripe's card decline (402, card_error).</summary>
    public void IntentDeclined(string orderId, string token, string intentId) =>
        RespondToIntent(orderId, token, 402, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["type"] = "card_error",
                ["code"] = "card_declined",
                ["decline_code"] = "generic_decline",
                ["message"] = DeclineMessage,
                ["doc_url"] = "https://stripe.com/docs/error-codes/card-declined",
                ["payment_intent"] = Intent(intentId, orderId, "requires_payment_method"),
            },
        });

    /// <summary>POST /v1/payment_intents for the order with <paramref name="token"/> answers an intent that needs 3-D Secure.</summary>
    public void IntentRequiresAction(string orderId, string token, string intentId) =>
        RespondToIntent(orderId, token, 200, Intent(intentId, orderId, "requires_action"));

    /// <summary>POST /v1/payment_intents for the order answers "No such PaymentMethod" (400, invalid_request_error).</summary>
    public void UnknownPaymentMethod(string orderId) =>
        RespondToIntent(orderId, null, 400, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["type"] = "invalid_request_error",
                ["code"] = "resource_missing",
                ["param"] = "payment_method",
                ["message"] = "No such PaymentMethod: 'pm_unknown'",
            },
        });

    /// <summary>POST /v1/payment_intents for the order answers Stripe's 500 (an outage).</summary>
    public void IntentFailsWithServerError(string orderId) =>
        RespondToIntent(orderId, null, 500, new JsonObject { ["error"] = new JsonObject { ["type"] = "api_error", ["message"] = "An unknown error occurred" } });

    /// <summary>POST /v1/refunds for <paramref name="intentId"/> answers a succeeded refund <paramref name="refundId"/>.</summary>
    public void RefundSucceeds(string intentId, string refundId) =>
        _server.Given(Request.Create().WithPath("/v1/refunds").UsingPost().WithBody(new WildcardMatcher($"*{intentId}*")))
            .RespondWith(Json(200, new JsonObject
            {
                ["id"] = refundId,
                ["object"] = "refund",
                ["amount"] = 2000,
                ["currency"] = "usd",
                ["payment_intent"] = intentId,
                ["status"] = "succeeded",
            }));

    /// <summary>Every request Stripe received on <paramref name="path"/> whose body mentions <paramref name="bodyContains"/>, in order.</summary>
    public IReadOnlyList<StripeRequest> Received(string path, string bodyContains) =>
        [.. _server.LogEntries
            .Where(e => e.RequestMessage.Path == path && (e.RequestMessage.Body ?? "").Contains(bodyContains, StringComparison.Ordinal))
            .OrderBy(e => e.RequestMessage.DateTime)
            .Select(e => new StripeRequest(
                e.RequestMessage.Path,
                QueryHelpers.ParseQuery(e.RequestMessage.Body ?? "").ToDictionary(p => p.Key, p => p.Value.ToString()),
                e.RequestMessage.Headers!.ToDictionary(h => h.Key, h => h.Value.ToString()!, StringComparer.OrdinalIgnoreCase)))];

    /// <summary>The payment intents Stripe was asked to create for <paramref name="orderId"/>.</summary>
    public IReadOnlyList<StripeRequest> IntentsFor(string orderId) => Received("/v1/payment_intents", orderId);

    public IReadOnlyList<StripeRequest> RefundsFor(string intentId) => Received("/v1/refunds", intentId);

    private void RespondToIntent(string orderId, string? token, int status, JsonObject body, int delayMs = 0)
    {
        // Keyed on the order (its id is in the intent's metadata) and, when given, the card: another card gets another answer.
        var request = Request.Create().WithPath("/v1/payment_intents").UsingPost()
            .WithBody((string? b) => b is not null && b.Contains(orderId, StringComparison.Ordinal) && (token is null || b.Contains(token, StringComparison.Ordinal)));

        var response = Json(status, body);
        if (delayMs > 0)
        {
            response = response.WithDelay(delayMs);
        }

        _server.Given(request).AtPriority(token is null ? 10 : 1).RespondWith(response);
    }

    private static IResponseBuilder Json(int status, JsonObject body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body.ToJsonString());

    private static JsonObject Intent(string id, string orderId, string status) => new()
    {
        ["id"] = id,
        ["object"] = "payment_intent",
        ["amount"] = 2000,
        ["currency"] = "usd",
        ["status"] = status,
        ["client_secret"] = $"{id}_secret_test",
        ["metadata"] = new JsonObject { ["orderId"] = orderId },
    };

    public void Dispose() => _server.Stop();
}
