using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ticketing.Common.Testing;

namespace Ticketing.E2E.Tests.Platform;

/// <summary>The contracts as a client sees them (docs/api.md §3-§5); only the fields the tests read.</summary>
public sealed record UserDto(string Id, string Email);

public sealed record TicketDto(string Id, string Title, decimal Price, string UserId, long Version, string? OrderId, string Status);

public sealed record OrderTicketDto(string Id, string Title, decimal Price, long Version);

public sealed record OrderDto(string Id, string UserId, string Status, DateTimeOffset ExpiresAt, long Version, OrderTicketDto Ticket);

public sealed record PaymentDto(string Id, string OrderId, string StripeId);

/// <summary>The error contract: <c>application/problem+json</c> with the course's <c>errors</c> list.</summary>
public sealed record ProblemDto(int Status, string? Title, List<ProblemErrorDto> Errors);

public sealed record ProblemErrorDto(string Message, string? Field);

/// <summary>
/// One person using the platform through the gateway, with their own cookie jar (the <c>session</c> cookie), as a
/// browser would. Steps throw with the response body when the platform answers something unexpected.
/// </summary>
public sealed class User : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>How long a step that depends on an event crossing services may take before it fails.</summary>
    public static readonly TimeSpan EventualTimeout = TimeSpan.FromSeconds(20);

    private User(HttpClient http, string email, string password)
    {
        Http = http;
        Email = email;
        Password = password;
    }

    public HttpClient Http { get; }
    public string Email { get; }
    public string Password { get; }
    public string Id { get; private set; } = "";

    /// <summary>Someone who has not signed up (the public pages: the ticket list, a ticket).</summary>
    public static User Anonymous(PlatformFixture platform) => new(platform.NewClient(), "", "");

    /// <summary>Someone about to sign up (the caller sends the request): a fresh email, the test password, no id yet.</summary>
    public static User Unsigned(PlatformFixture platform, string name) =>
        new(platform.NewClient(), $"{name}-{Guid.NewGuid():N}@example.com", "correct horse 1");

    /// <summary>The id the platform gave this user when the caller signed them up itself.</summary>
    public void SetId(string id) => Id = id;

    /// <summary>POST /api/users/signup -> 201 and the session cookie (plain http locally: cookie Secure is off).</summary>
    public static async Task<User> SignUpAsync(PlatformFixture platform, string? name = null)
    {
        var email = $"{name ?? "user"}-{Guid.NewGuid():N}@example.com";
        var user = new User(platform.NewClient(), email, "correct horse 1");
        using var response = await user.Http.PostAsJsonAsync("/api/users/signup", new { email, password = user.Password });
        var created = await ExpectAsync<UserDto>(response, HttpStatusCode.Created, "sign up");
        Assert.Equal(email, created.Email);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("session=", StringComparison.Ordinal));
        user.Id = created.Id;
        return user;
    }

    /// <summary>GET /api/users/currentuser: who the session cookie says this is (null when signed out).</summary>
    public async Task<string?> CurrentUserEmailAsync()
    {
        using var response = await Http.GetAsync("/api/users/currentuser");
        var body = await ExpectAsync<JsonElement>(response, HttpStatusCode.OK, "current user");
        var current = body.GetProperty("currentUser");
        return current.ValueKind == JsonValueKind.Null ? null : current.GetProperty("email").GetString();
    }

    /// <summary>POST /api/users/signin with this user's credentials -> 200 and a fresh session cookie.</summary>
    public async Task SignInAsync()
    {
        using var response = await Http.PostAsJsonAsync("/api/users/signin", new { email = Email, password = Password });
        await ExpectAsync<UserDto>(response, HttpStatusCode.OK, "sign in");
    }

    /// <summary>POST /api/tickets -> 201 ticket.</summary>
    public async Task<TicketDto> SellAsync(string title, decimal price)
    {
        using var response = await Http.PostAsJsonAsync("/api/tickets", new { title, price });
        var ticket = await ExpectAsync<TicketDto>(response, HttpStatusCode.Created, "create a ticket");
        Assert.Equal(title, ticket.Title);
        Assert.Equal(price, ticket.Price);
        Assert.Equal(Id, ticket.UserId);
        Assert.Equal("available", ticket.Status);
        return ticket;
    }

    /// <summary>GET /api/tickets/{id} -> 200 ticket.</summary>
    public async Task<TicketDto> TicketAsync(string id)
    {
        using var response = await Http.GetAsync($"/api/tickets/{id}");
        return await ExpectAsync<TicketDto>(response, HttpStatusCode.OK, $"read ticket {id}");
    }

    /// <summary>GET /api/tickets: the available tickets (newest first, bounded).</summary>
    public async Task<List<TicketDto>> ListedTicketsAsync()
    {
        using var response = await Http.GetAsync("/api/tickets?limit=500");
        return await ExpectAsync<List<TicketDto>>(response, HttpStatusCode.OK, "list tickets");
    }

    /// <summary>Waits until GET /api/tickets/{id} satisfies <paramref name="condition"/> (it changes through events).</summary>
    public async Task<TicketDto> TicketEventuallyAsync(string id, Func<TicketDto, bool> condition, string what)
    {
        TicketDto? last = null;
        await Eventually.TrueAsync(async () => condition(last = await TicketAsync(id)), $"{what} (last seen: {last})", EventualTimeout);
        return last!;
    }

    /// <summary>
    /// POST /api/orders -> 201 order. The orders service knows a ticket only once TicketCreated reached it, so a 404
    /// right after the ticket was created is retried until <see cref="EventualTimeout"/>.
    /// </summary>
    public async Task<OrderDto> BuyAsync(string ticketId)
    {
        var response = await PlaceOrderAsync(ticketId);
        using (response)
        {
            var order = await ExpectAsync<OrderDto>(response, HttpStatusCode.Created, $"order ticket {ticketId}");
            Assert.Equal("created", order.Status);
            Assert.Equal(ticketId, order.Ticket.Id);
            Assert.Equal(Id, order.UserId);
            return order;
        }
    }

    /// <summary>POST /api/orders, retrying only "ticket unknown yet" (404); the caller judges the answer.</summary>
    public async Task<HttpResponseMessage> PlaceOrderAsync(string ticketId)
    {
        var deadline = DateTime.UtcNow + EventualTimeout;
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var response = await Http.PostAsJsonAsync("/api/orders", new { ticketId });
            if (response.StatusCode != HttpStatusCode.NotFound || DateTime.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    /// <summary>GET /api/orders/{id} -> 200 order.</summary>
    public async Task<OrderDto> OrderAsync(string id)
    {
        using var response = await Http.GetAsync($"/api/orders/{id}");
        return await ExpectAsync<OrderDto>(response, HttpStatusCode.OK, $"read order {id}");
    }

    /// <summary>GET /api/orders -> the caller's orders.</summary>
    public async Task<List<OrderDto>> OrdersAsync()
    {
        using var response = await Http.GetAsync("/api/orders");
        return await ExpectAsync<List<OrderDto>>(response, HttpStatusCode.OK, "list orders");
    }

    /// <summary>DELETE /api/orders/{id} -> 204.</summary>
    public async Task CancelAsync(string orderId)
    {
        using var response = await Http.DeleteAsync($"/api/orders/{orderId}");
        await ExpectAsync<object>(response, HttpStatusCode.NoContent, $"cancel order {orderId}");
    }

    /// <summary>
    /// POST /api/payments { orderId, token }. Payments knows an order only once OrderCreated reached it, so a 404 right
    /// after the order was placed is retried until <see cref="EventualTimeout"/>; the caller judges the answer.
    /// </summary>
    public async Task<HttpResponseMessage> PayAsync(string orderId, string token)
    {
        var deadline = DateTime.UtcNow + EventualTimeout;
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var response = await Http.PostAsJsonAsync("/api/payments", new { orderId, token });
            if (response.StatusCode != HttpStatusCode.NotFound || DateTime.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    /// <summary>POST /api/payments -> 201 payment.</summary>
    public async Task<PaymentDto> PaidAsync(string orderId, string token = "tok_visa")
    {
        using var response = await PayAsync(orderId, token);
        var payment = await ExpectAsync<PaymentDto>(response, HttpStatusCode.Created, $"pay order {orderId}");
        Assert.Equal(orderId, payment.OrderId);
        Assert.StartsWith("pi_", payment.StripeId, StringComparison.Ordinal);
        return payment;
    }

    /// <summary>Waits until GET /api/orders/{id} satisfies <paramref name="condition"/> (it changes through events).</summary>
    public async Task<OrderDto> OrderEventuallyAsync(string id, Func<OrderDto, bool> condition, string what)
    {
        OrderDto? last = null;
        await Eventually.TrueAsync(async () => condition(last = await OrderAsync(id)), $"{what} (last seen: {last})", EventualTimeout);
        return last!;
    }

    /// <summary>Reads a response of the expected status, or fails with what the platform said instead.</summary>
    public static async Task<T> ExpectAsync<T>(HttpResponseMessage response, HttpStatusCode expected, string step)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected,
            $"{step}: expected {(int)expected} but {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} answered {(int)response.StatusCode}: {body}");
        return expected == HttpStatusCode.NoContent ? default! : JsonSerializer.Deserialize<T>(body, Json)!;
    }

    /// <summary>Asserts an answer in the error contract with this status and first message.</summary>
    public static async Task<ProblemDto> ExpectProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string? message, string step)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ExpectAsync<ProblemDto>(response, expected, step);
        Assert.Equal((int)expected, problem.Status);
        Assert.NotEmpty(problem.Errors);
        if (message is not null)
        {
            Assert.Equal(message, problem.Errors[0].Message);
        }

        return problem;
    }

    public void Dispose() => Http.Dispose();
}
