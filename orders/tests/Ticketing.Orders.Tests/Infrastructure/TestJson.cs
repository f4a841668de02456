using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ticketing.Common.Hosting;

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
}
