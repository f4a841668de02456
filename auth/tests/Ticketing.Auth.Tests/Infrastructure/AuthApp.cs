using System.Net.Http.Json;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Auth.Tests.Infrastructure;

/// <summary>
/// The auth service in memory (the shared <c>ServiceApp</c>: a fresh <c>JWT_KEY</c> and embedded store, no NATS), with
/// rate limits so high that only the rate-limit tests (which set their own) ever meet them, and no per-account sign-in throttle. Set
/// <c>Settings</c>, <c>Clock</c>, <c>Logs</c> or <c>TestServices</c> before the first client.
/// </summary>
public sealed class AuthApp : ServiceApp<Program>
{
    public const string Password = "correct horse battery";

    public AuthApp()
    {
        Settings["AUTH_RATE_LIMIT"] = "1000000";
        Settings["SIGNIN_THROTTLE_BASE_DELAY_MS"] = "0";   // off, except in SigninThrottleTests
    }
}

/// <summary>One <see cref="AuthApp"/> for a test class whose tests each make their own users.</summary>
public sealed class AuthAppFixture : ServiceAppFixture<Program>
{
    protected override ServiceApp<Program> CreateApp() => new AuthApp();
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

    public static Task<HttpResponseMessage> SignUpAsync(this HttpClient client, string email, string password = AuthApp.Password) =>
        client.PostAsJsonAsync(Signup, new { email, password });

    public static Task<HttpResponseMessage> SignInAsync(this HttpClient client, string email, string password = AuthApp.Password) =>
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
