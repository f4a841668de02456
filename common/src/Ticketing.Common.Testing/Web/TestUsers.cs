using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Ticketing.Common.Auth;
using Ticketing.Common.Storage;

namespace Ticketing.Common.Testing.Web;

/// <summary>Signed-in users for endpoint tests: a fresh signing key per test run and real session tokens.</summary>
public static class TestUsers
{
    /// <summary>A random 48-byte key, base64: tests make their own, none is ever committed.</summary>
    public static string NewJwtKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    public static SessionTokens Tokens(string jwtKey, TimeProvider? timeProvider = null) =>
        new(JwtOptions.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["JWT_KEY"] = jwtKey }).Build()),
            timeProvider ?? TimeProvider.System);

    /// <summary>The <c>Cookie</c> header value of a signed-in user.</summary>
    public static string SessionCookie(string jwtKey, string userId, string email) =>
        $"{Auth.SessionCookie.Name}={Tokens(jwtKey).Issue(userId, email)}";

    /// <summary>Makes <paramref name="client"/> send the session cookie of a new (or the given) user. Returns the user id.</summary>
    public static string SignIn(this HttpClient client, string jwtKey, string? userId = null, string? email = null)
    {
        userId ??= DocumentIds.New();
        client.DefaultRequestHeaders.Remove("Cookie");
        client.DefaultRequestHeaders.Add("Cookie", SessionCookie(jwtKey, userId, email ?? $"{userId}@test.dev"));
        return userId;
    }

    public static AuthenticationHeaderValue Bearer(string jwtKey, string userId, string email) =>
        new("Bearer", Tokens(jwtKey).Issue(userId, email));
}
