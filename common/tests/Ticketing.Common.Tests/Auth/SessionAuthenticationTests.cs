using System.Net;
using System.Text.Json.Nodes;
using Ticketing.Common.Testing.Web;
using Ticketing.Common.Tests.Http;

namespace Ticketing.Common.Tests.Auth;

/// <summary>The one authentication scheme, through HTTP: cookie or bearer in, the current user out.</summary>
public sealed class SessionAuthenticationTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonNode?> CurrentUserAsync(Action<HttpRequestMessage> sign)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        sign(request);
        var response = await _app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["currentUser"];
    }

    [Fact]
    public async Task SessionCookie_SignsTheRequestIn()
    {
        var user = await CurrentUserAsync(r => r.Headers.Add("Cookie", TestUsers.SessionCookie(_app.JwtKey, "u1", "u1@test.dev")));
        Assert.Equal("u1", (string?)user!["id"]);
        Assert.Equal("u1@test.dev", (string?)user["email"]);
    }

    [Fact]
    public async Task BearerHeader_SignsTheRequestIn()
    {
        var user = await CurrentUserAsync(r => r.Headers.Authorization = TestUsers.Bearer(_app.JwtKey, "u2", "u2@test.dev"));
        Assert.Equal("u2", (string?)user!["id"]);
    }

    [Fact]
    public async Task NoToken_IsAnonymous()
    {
        Assert.Null(await CurrentUserAsync(_ => { }));
    }

    [Fact]
    public async Task ForgedCookie_IsAnonymous_AndCannotReachProtectedRoutes()
    {
        var forged = TestUsers.SessionCookie(TestUsers.NewJwtKey(), "admin", "admin@test.dev");
        Assert.Null(await CurrentUserAsync(r => r.Headers.Add("Cookie", forged)));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/secret");
        request.Headers.Add("Cookie", forged);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.Client.SendAsync(request)).StatusCode);
    }
}
