using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ticketing.Common.Hosting;
using Ticketing.Common.Http;

namespace Ticketing.Orders.Tests.Infrastructure;

/// <summary>The API's JSON, as a client reads it.</summary>
public static class TestJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ServiceDefaults.ConfigureJson(options);
        return options;
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<T>(Options))!;
    }

    /// <summary>Asserts the error contract: the status, <c>application/problem+json</c>, and the one error's message and field.</summary>
    public static async Task AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string message, string? field = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<Problem>(Options))!;
        Assert.Equal((int)status, problem.Status);
        var error = Assert.Single(problem.Errors);
        Assert.Equal(new ApiError(message, field), error);
    }

    private sealed record Problem(int Status, List<ApiError> Errors);
}
