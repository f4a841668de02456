using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
}
