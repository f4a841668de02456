using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Ticketing.Common.Testing.Web;
using Ticketing.Common.Tests.Http;

namespace Ticketing.Common.Tests.Auth;

/// <summary>Cookie-authenticated state changes from another site are refused (403 in the error contract); nothing else is.</summary>
public sealed class CrossSiteRequestTests
{
    private static async Task<HttpResponseMessage> PostAsync(TestApp app, string? cookie, string? bearer, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/widgets") { Content = JsonContent.Create(new { name = "w", price = 1 }) };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await app.Client.SendAsync(request);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Origin", "null")]
    public async Task Post_WithTheSessionCookie_FromAnotherSite_Returns403(string header, string value)
    {
        await using var app = await TestApp.StartAsync();
        var cookie = TestUsers.SessionCookie(app.JwtKey, "u1", "u1@test.dev");

        var response = await PostAsync(app, cookie, null, (header, value));

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, ("Cross-site requests are not allowed", null));
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "same-origin")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Sec-Fetch-Site", "none")]
    [InlineData("Origin", "https://localhost")]
    [InlineData("Origin", "http://localhost:8080")]
    [InlineData("X-None", "server-side caller: no Origin, no Sec-Fetch-Site")]
    public async Task Post_WithTheSessionCookie_FromThisSiteOrAServer_IsAllowed(string header, string value)
    {
        await using var app = await TestApp.StartAsync();
        var cookie = TestUsers.SessionCookie(app.JwtKey, "u1", "u1@test.dev");

        var response = await PostAsync(app, cookie, null, (header, value));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Post_ThroughAProxy_WithOriginEqualToTheForwardedHost_IsAllowed()
    {
        await using var app = await TestApp.StartAsync();
        var cookie = TestUsers.SessionCookie(app.JwtKey, "u1", "u1@test.dev");

        var response = await PostAsync(app, cookie, null, ("Origin", "http://ticketing.local:8080"), ("X-Forwarded-Host", "ticketing.local:8080"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Post_WithABearerToken_OrWithoutACookie_IsNotAffected()
    {
        await using var app = await TestApp.StartAsync();
        var token = TestUsers.Tokens(app.JwtKey).Issue("u1", "u1@test.dev");

        Assert.Equal(HttpStatusCode.Created, (await PostAsync(app, null, token, ("Sec-Fetch-Site", "cross-site"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(app, $"session={token}", token, ("Origin", "https://evil.example"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(app, null, null, ("Origin", "https://evil.example"))).StatusCode);
    }

    [Fact]
    public async Task Get_WithTheSessionCookie_FromAnotherSite_IsNotAffected()
    {
        await using var app = await TestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/secret");
        request.Headers.Add("Cookie", TestUsers.SessionCookie(app.JwtKey, "u1", "u1@test.dev"));
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(request)).StatusCode);
    }
}
