using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Ticketing.Auth.Tests.Infrastructure;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Auth.Tests.Endpoints;

/// <summary><c>GET /api/users/currentuser</c> and the session token behind it (docs/api.md §3).</summary>
public sealed class CurrentUserTests(AuthAppFixture fixture) : IClassFixture<AuthAppFixture>
{
    public sealed record Body(User? CurrentUser);

    public sealed record User(string Id, string Email, long Iat, long Exp);

    private static async Task<Body> CurrentUserAsync(HttpClient client, string? cookie = null, AuthenticationHeaderValue? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, AuthApi.CurrentUser);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        request.Headers.Authorization = bearer;
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Body>())!;
    }

    [Fact] // course: "responds with details about the current user"
    public async Task CurrentUser_WithTheSessionCookie_ReturnsTheUser()
    {
        var client = fixture.App.CreateClientFrom();
        var (id, email, token) = await client.NewUserAsync();

        var body = await CurrentUserAsync(client, SetCookie.CookieHeader(token));

        Assert.NotNull(body.CurrentUser);
        Assert.Equal((id, email), (body.CurrentUser.Id, body.CurrentUser.Email));
        Assert.InRange(body.CurrentUser.Iat, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(TimeSpan.FromDays(7).TotalSeconds, body.CurrentUser.Exp - body.CurrentUser.Iat);
    }

    [Fact] // course: "responds with null if not authenticated"
    public async Task CurrentUser_WithoutACookie_ReturnsNull()
    {
        var response = await fixture.App.CreateClientFrom().GetAsync(AuthApi.CurrentUser);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"currentUser":null}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CurrentUser_WithABearerToken_ReturnsTheUser()
    {
        var client = fixture.App.CreateClientFrom();
        var (id, email, token) = await client.NewUserAsync();

        var body = await CurrentUserAsync(client, bearer: new AuthenticationHeaderValue("Bearer", token));

        Assert.Equal((id, email), (body.CurrentUser?.Id, body.CurrentUser?.Email));
    }

    [Fact]
    public async Task CurrentUser_ShowsOnlyIdEmailIatAndExp_AndIsNeverCached()
    {
        var client = fixture.App.CreateClientFrom();
        var (_, _, token) = await client.NewUserAsync();
        client.DefaultRequestHeaders.Add("Cookie", SetCookie.CookieHeader(token));

        var response = await client.GetAsync(AuthApi.CurrentUser);

        var user = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["currentUser"]!.AsObject();
        Assert.Equal(["email", "exp", "iat", "id"], user.Select(p => p.Key).Order());
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpZCI6ImEiLCJlbWFpbCI6ImFAYi5jbyJ9.")]
    [InlineData("")]
    public async Task CurrentUser_WithAnInvalidToken_ReturnsNull(string token)
    {
        var body = await CurrentUserAsync(fixture.App.CreateClientFrom(), SetCookie.CookieHeader(token));

        Assert.Null(body.CurrentUser);
    }

    [Fact]
    public async Task CurrentUser_WithATokenSignedByAnotherKey_ReturnsNull()
    {
        var forged = TestUsers.SessionCookie(TestUsers.NewJwtKey(), "0123456789abcdef01234567", "forged@test.dev");

        var body = await CurrentUserAsync(fixture.App.CreateClientFrom(), forged);

        Assert.Null(body.CurrentUser);
    }

    [Fact]
    public async Task SessionToken_IsHs256_WithTheContractClaims_AndTheConfiguredLifetime()
    {
        var now = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await using var timed = new AuthApp { Clock = new FakeTimeProvider(now) };
        timed.Settings["JWT_LIFETIME_SECONDS"] = "3600";
        var client = timed.CreateClientFrom();

        var response = await client.SignUpAsync(AuthApi.NewEmail());

        var user = (await response.Content.ReadFromJsonAsync<AuthApi.UserBody>())!;
        var cookie = SetCookie.Session(response);
        var jwt = new JsonWebToken(cookie.Value.Value!);
        Assert.Equal("HS256", jwt.Alg);
        Assert.Equal(user.Id, jwt.Subject);
        Assert.Equal(user.Id, jwt.GetPayloadValue<string>("id"));
        Assert.Equal(user.Email, jwt.GetPayloadValue<string>("email"));
        Assert.Equal(now.ToUnixTimeSeconds(), jwt.GetPayloadValue<long>("iat"));
        Assert.Equal(now.AddHours(1).ToUnixTimeSeconds(), jwt.GetPayloadValue<long>("exp"));
        Assert.Equal("ticketing", jwt.Issuer);
        Assert.Equal(["ticketing"], jwt.Audiences);
        Assert.Equal(now.AddHours(1), cookie.Expires);

        var body = await CurrentUserAsync(client, SetCookie.CookieHeader(cookie.Value.Value!));
        Assert.Equal(new User(user.Id, user.Email, now.ToUnixTimeSeconds(), now.AddHours(1).ToUnixTimeSeconds()), body.CurrentUser);
    }

    [Fact]
    public async Task CurrentUser_AfterTheTokenExpires_ReturnsNull()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var timed = new AuthApp { Clock = time };
        timed.Settings["JWT_LIFETIME_SECONDS"] = "3600";
        var client = timed.CreateClientFrom();
        var (_, _, token) = await client.NewUserAsync();

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull((await CurrentUserAsync(client, SetCookie.CookieHeader(token))).CurrentUser);

        time.Advance(TimeSpan.FromMinutes(2)); // past the expiry and the 30 s clock-skew allowance
        Assert.Null((await CurrentUserAsync(client, SetCookie.CookieHeader(token))).CurrentUser);
    }
}
