using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Auth.Tests.Infrastructure;

/// <summary>
/// The auth service in memory: a fresh <c>JWT_KEY</c> and embedded store per factory, and rate limits so high
/// that only the rate-limit tests (which set their own) ever meet them. Set <see cref="ServiceFactory{T}.Settings"/>,
/// <see cref="TimeProvider"/>, <see cref="Logs"/> or <see cref="TestServices"/> before the first client.
/// </summary>
public sealed class AuthFactory : ServiceFactory<Program>
{
    public const string Password = "correct horse battery";

    public AuthFactory()
    {
        Settings["AUTH_RATE_LIMIT"] = "1000000";
    }

    /// <summary>Replaces the clock (tokens, cookie expiry) when set.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Receives every log entry, at every level, when set.</summary>
    public ILoggerProvider? Logs { get; set; }

    public Action<IServiceCollection>? TestServices { get; set; }

    /// <summary>A client without a cookie jar (tests read and send cookies themselves), optionally from one client address.</summary>
    public HttpClient CreateClientFrom(string? address = null)
    {
        var client = CreateAnonymousClient();
        if (address is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        }

        return client;
    }

    /// <summary>A client that keeps cookies like a browser on https (so <c>Secure</c> cookies are sent back).</summary>
    public HttpClient CreateBrowserClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, BaseAddress = new Uri("https://localhost") });

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (Logs is not null)
        {
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        }

        builder.ConfigureTestServices(services =>
        {
            if (TimeProvider is not null)
            {
                services.AddSingleton(TimeProvider);
            }

            TestServices?.Invoke(services);
        });
    }
}

/// <summary>Calls of the auth API, as a client makes them.</summary>
public static class AuthApi
{
    public const string Signup = "/api/users/signup";
    public const string Signin = "/api/users/signin";
    public const string Signout = "/api/users/signout";
    public const string CurrentUser = "/api/users/currentuser";

    /// <summary>An email no other test uses.</summary>
    public static string NewEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@test.dev";

    public static Task<HttpResponseMessage> SignUpAsync(this HttpClient client, string email, string password = AuthFactory.Password) =>
        client.PostAsJsonAsync(Signup, new { email, password });

    public static Task<HttpResponseMessage> SignInAsync(this HttpClient client, string email, string password = AuthFactory.Password) =>
        client.PostAsJsonAsync(Signin, new { email, password });

    /// <summary>Signs a new user up and returns the user's id, email and session cookie.</summary>
    public static async Task<(string Id, string Email, string Cookie)> NewUserAsync(this HttpClient client, string? email = null)
    {
        email ??= NewEmail();
        var response = await client.SignUpAsync(email);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<UserBody>();
        return (body!.Id, body.Email, SetCookie.Session(response).Value.Value!);
    }

    public sealed record UserBody(string Id, string Email);
}
