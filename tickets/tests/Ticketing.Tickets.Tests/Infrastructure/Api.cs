using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ticketing.Tickets.Endpoints;

namespace Ticketing.Tickets.Tests.Infrastructure;

/// <summary>Calls and assertions on the tickets API, as a client sees it.</summary>
public static class Api
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<TicketResponse> CreateTicketAsync(this HttpClient client, string title = "Concert", decimal price = 20m)
    {
        var response = await client.PostAsJsonAsync("/api/tickets", new { title, price });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TicketResponse>(Json))!;
    }

    public static async Task<TicketResponse> GetTicketAsync(this HttpClient client, string id)
    {
        var response = await client.GetAsync($"/api/tickets/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TicketResponse>(Json))!;
    }

    public static async Task<TicketResponse[]> ListTicketsAsync(this HttpClient client, string query = "")
    {
        var response = await client.GetAsync($"/api/tickets{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TicketResponse[]>(Json))!;
    }

    public static Task<HttpResponseMessage> PutTicketAsync(this HttpClient client, string id, object body) =>
        client.PutAsJsonAsync($"/api/tickets/{id}", body);

    public static HttpContent RawJson(string json) => new StringContent(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>
    /// Asserts the error contract: the status, <c>application/problem+json</c>, and exactly these
    /// <c>errors</c> (message and field), in this order.
    /// </summary>
    public static async Task AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, params (string Message, string? Field)[] errors)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal((int)status, (int)body["status"]!);
        var actual = body["errors"]!.AsArray().Select(e => ((string)e!["message"]!, (string?)e["field"])).ToArray();
        Assert.Equal(errors, actual);
    }
}
