using System.Net;
using System.Text.Json.Nodes;

namespace Ticketing.Auth.Tests.Infrastructure;

/// <summary>Reads an error response and checks it keeps the error contract (product.md §2).</summary>
public static class Problems
{
    public static async Task<IReadOnlyList<(string Message, string? Field)>> ErrorsAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)expected, (int)body["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)body["title"]));
        Assert.StartsWith("https://", (string?)body["type"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty((string?)body["traceId"]));
        var errors = body["errors"]!.AsArray()
            .Select(e => ((string)e!["message"]!, e.AsObject().TryGetPropertyValue("field", out var f) ? (string?)f : null))
            .ToList();
        Assert.NotEmpty(errors);
        return errors;
    }

    /// <summary>Asserts the response is exactly one error with this message and field (null: no field at all).</summary>
    public static async Task SingleAsync(HttpResponseMessage response, HttpStatusCode status, string message, string? field)
    {
        var errors = await ErrorsAsync(response, status);
        Assert.Equal([(message, field)], errors);
    }
}
