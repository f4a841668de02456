using System.Net.Http.Json;
using System.Text.Json;
using Ticketing.Common.Http;

namespace Ticketing.Client.Api;

/// <summary>
/// What every typed client shares: JSON in and out, and every failure as a <see cref="TicketingApiException"/> carrying
/// the error contract's list (or a friendly message when the API is busy, down or unreachable). Callers never see an
/// <see cref="HttpRequestException"/> or a timeout.
/// </summary>
public abstract class ApiClient(HttpClient http)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected HttpClient Http { get; } = http;

    protected Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    protected Task<T> PostAsync<T>(string path, object? body, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }, options: Json) }, cancellationToken);

    protected Task<T> PutAsync<T>(string path, object body, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body, options: Json) }, cancellationToken);

    protected async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken, Action<HttpResponseMessage>? onSuccess = null)
    {
        using (request)
        using (var response = await SendRawAsync(request, cancellationToken))
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorOfAsync(response, cancellationToken);
            }

            onSuccess?.Invoke(response);
            try
            {
                return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
            }
            catch (JsonException)
            {
                throw new TicketingApiException(502, []);
            }
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException)
        {
            throw TicketingApiException.Unreachable();
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TicketingApiException.Unreachable();   // HttpClient.Timeout
        }
    }

    /// <summary>The error contract's <c>errors</c> list; a body that is not the contract (a proxy's page) gives the status alone.</summary>
    internal static async Task<TicketingApiException> ErrorOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        List<ApiError> errors = [];
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("errors", out var list)
                && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object
                        && item.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                    {
                        var field = item.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
                        errors.Add(new ApiError(message.GetString()!, field));
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return new TicketingApiException(status, errors);
    }
}

/// <summary><c>/api/users</c>: who is signed in, sign up, sign in, sign out.</summary>
public sealed class AuthApi(HttpClient http, BrowserSession browser) : ApiClient(http)
{
    public async Task<SignedInUser?> CurrentUserAsync(CancellationToken cancellationToken = default) =>
        (await GetAsync<CurrentUserResponse>("/api/users/currentuser", cancellationToken)).CurrentUser;

    /// <summary>Creates the account; the API's session cookie is passed on to the browser.</summary>
    public Task<SignedInUser> SignUpAsync(string email, string password, CancellationToken cancellationToken = default) =>
        SendAsync<SignedInUser>(Post("/api/users/signup", new { email, password }), cancellationToken, browser.PassOn);

    /// <summary>Signs in; the API's session cookie is passed on to the browser.</summary>
    public Task<SignedInUser> SignInAsync(string email, string password, CancellationToken cancellationToken = default) =>
        SendAsync<SignedInUser>(Post("/api/users/signin", new { email, password }), cancellationToken, browser.PassOn);

    /// <summary>Signs out; the API's expired cookie is passed on to the browser.</summary>
    public Task SignOutAsync(CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(Post("/api/users/signout", new { }), cancellationToken, browser.PassOn);

    private static HttpRequestMessage Post(string path, object body) =>
        new(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) };
}

/// <summary><c>/api/tickets</c>: list, show, sell, edit.</summary>
public sealed class TicketsApi(HttpClient http) : ApiClient(http)
{
    public Task<List<Ticket>> ListAsync(int limit, int offset, CancellationToken cancellationToken = default) =>
        GetAsync<List<Ticket>>(FormattableString.Invariant($"/api/tickets?limit={limit}&offset={offset}"), cancellationToken);

    public Task<Ticket> GetAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<Ticket>($"/api/tickets/{Uri.EscapeDataString(id)}", cancellationToken);

    public Task<Ticket> CreateAsync(string? title, decimal? price, CancellationToken cancellationToken = default) =>
        PostAsync<Ticket>("/api/tickets", new { title, price }, cancellationToken);

    public Task<Ticket> UpdateAsync(string id, string? title, decimal? price, CancellationToken cancellationToken = default) =>
        PutAsync<Ticket>($"/api/tickets/{Uri.EscapeDataString(id)}", new { title, price }, cancellationToken);
}

/// <summary><c>/api/orders</c>: place, show, list.</summary>
public sealed class OrdersApi(HttpClient http) : ApiClient(http)
{
    public Task<Order> CreateAsync(string ticketId, CancellationToken cancellationToken = default) =>
        PostAsync<Order>("/api/orders", new { ticketId }, cancellationToken);

    public Task<Order> GetAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<Order>($"/api/orders/{Uri.EscapeDataString(id)}", cancellationToken);

    public Task<List<Order>> ListAsync(CancellationToken cancellationToken = default) =>
        GetAsync<List<Order>>("/api/orders", cancellationToken);
}

/// <summary><c>/api/payments</c>: pay for an order with a card token (Stripe PaymentMethod id, or a test token when simulated).</summary>
public sealed class PaymentsApi(HttpClient http) : ApiClient(http)
{
    public Task<Payment> PayAsync(string orderId, string token, CancellationToken cancellationToken = default) =>
        PostAsync<Payment>("/api/payments", new { orderId, token }, cancellationToken);
}
