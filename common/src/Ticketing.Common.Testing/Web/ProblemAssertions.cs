using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Ticketing.Common.Testing.Web;

/// <summary>
/// Checks that a response keeps the error contract every service answers a failure with (<c>ApiProblem</c>):
/// the status, <c>application/problem+json</c>, and a body <c>{ type, title, status, traceId, errors: [ { message, field? } ] }</c>.
/// </summary>
public static class ProblemAssertions
{
    /// <summary>
    /// Asserts the response is the error contract with <paramref name="status"/> (a non-empty <c>errors</c> list
    /// among the rest) and returns its body, for checks of its own.
    /// </summary>
    public static async Task<JsonObject> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, (int)body["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)body["title"]));
        Assert.StartsWith("https://", (string?)body["type"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty((string?)body["traceId"]));
        Assert.NotEmpty(body["errors"]!.AsArray());
        return body;
    }

    /// <summary>The body's <c>errors</c> as (message, field) pairs, in order; the field is null where an error has none.</summary>
    public static IReadOnlyList<(string Message, string? Field)> Errors(this JsonObject problem) =>
        [.. problem["errors"]!.AsArray().Select(e => ((string)e!["message"]!, (string?)e["field"]))];

    /// <summary>Asserts the error contract with <paramref name="status"/> and exactly these errors, in this order.</summary>
    public static async Task AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, params (string Message, string? Field)[] errors)
    {
        var problem = await response.ReadProblemAsync(status);
        Assert.Equal(errors, problem.Errors());
    }
}
