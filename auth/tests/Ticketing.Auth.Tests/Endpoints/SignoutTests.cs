using System.Net;
using System.Net.Http.Json;
using Microsoft.Net.Http.Headers;
using Ticketing.Auth.Tests.Infrastructure;

namespace Ticketing.Auth.Tests.Endpoints;

/// <summary><c>POST /api/users/signout</c> (docs/api.md §3).</summary>
public sealed class SignoutTests(AuthAppFixture fixture) : IClassFixture<AuthAppFixture>
{
    [Fact] // course: "clears the cookie after signing out"
    public async Task Signout_Returns200_WithAnEmptyObject_AndExpiresTheSessionCookie()
    {
        var client = fixture.App.CreateClientFrom();
        var (_, _, cookie) = await client.NewUserAsync();
        client.DefaultRequestHeaders.Add("Cookie", $"session={cookie}");

        var response = await client.PostAsync(AuthApi.Signout, null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        var raw = Assert.Single(SetCookie.Raw(response));
        Assert.Equal("session=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; secure; samesite=lax; httponly", raw);
        var expired = SetCookie.Session(response);
        Assert.True(expired.Expires < DateTimeOffset.UtcNow);
        Assert.True(expired.HttpOnly);
        Assert.True(expired.Secure);
        Assert.Equal(SameSiteMode.Lax, expired.SameSite);
    }

    [Fact]
    public async Task Signout_WithoutASession_StillReturns200_AndExpiresTheCookie()
    {
        var response = await fixture.App.CreateClientFrom().PostAsync(AuthApi.Signout, null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, SetCookie.Session(response).Value.Value);
    }

    [Fact]
    public async Task Signout_InABrowser_EndsTheSession()
    {
        var browser = fixture.App.CreateBrowserClient();
        var email = AuthApi.NewEmail();
        Assert.Equal(HttpStatusCode.Created, (await browser.SignUpAsync(email)).StatusCode);
        var before = await browser.GetFromJsonAsync<CurrentUserTests.Body>(AuthApi.CurrentUser);
        Assert.Equal(email, before!.CurrentUser?.Email);

        Assert.Equal(HttpStatusCode.OK, (await browser.PostAsync(AuthApi.Signout, null)).StatusCode);

        var after = await browser.GetFromJsonAsync<CurrentUserTests.Body>(AuthApi.CurrentUser);
        Assert.Null(after!.CurrentUser);
    }
}
