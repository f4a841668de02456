using System.Net;
using System.Net.Http.Json;
using Ticketing.Auth.Tests.Infrastructure;
using Ticketing.Common.Auth;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Testing.Web;
using Xunit.Abstractions;

namespace Ticketing.Auth.Tests.Endpoints;

/// <summary>Sign-out ends that session everywhere, and only that session (decision 0011, docs/api.md §3).</summary>
public sealed class SessionRevocationTests(ITestOutputHelper output)
{
    private static async Task<string?> CurrentEmailAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, AuthApi.CurrentUser);
        request.Headers.Add("Cookie", SetCookie.CookieHeader(token));
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CurrentUserTests.Body>())!.CurrentUser?.Email;
    }

    private static async Task<string> SignInAsync(HttpClient client, string email)
    {
        var response = await client.SignInAsync(email);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return SetCookie.Session(response).Value.Value!;
    }

    private static async Task SignOutAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, AuthApi.Signout);
        request.Headers.Add("Cookie", SetCookie.CookieHeader(token));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Signout_WithoutNats_AuthRefusesTheOldToken_TheUsersOtherSessionStillWorks()
    {
        await using var app = new AuthApp();
        var client = app.CreateClientFrom();
        var (_, email, first) = await client.NewUserAsync();
        var second = await SignInAsync(client, email);

        await SignOutAsync(client, first);

        Assert.Null(await CurrentEmailAsync(client, first));
        Assert.Equal(email, await CurrentEmailAsync(client, second));
    }

    [Fact]
    public async Task Signout_WithNats_AnotherInstanceRefusesTheOldTokenWithin1s_TheOtherSessionStillWorks()
    {
        await using var nats = await NatsServer.StartSecuredAsync();
        await using var auth = new AuthApp();
        auth.Settings["NATS_URL"] = nats.Url;
        await using var other = new AuthApp();      // another service process on the same NATS and key
        other.Settings["NATS_URL"] = nats.Url;
        other.Settings["JWT_KEY"] = auth.JwtKey;
        var client = auth.CreateClientFrom();
        var otherClient = other.CreateClientFrom();
        var (_, email, first) = await client.NewUserAsync();
        var second = await SignInAsync(client, email);
        Assert.Equal(email, await CurrentEmailAsync(otherClient, first));

        await SignOutAsync(client, first);
        var elapsed = await TestSessions.TimeUntilRefusedAsync(
            async () => await CurrentEmailAsync(otherClient, first) is null ? HttpStatusCode.Unauthorized : HttpStatusCode.OK,
            TimeSpan.FromSeconds(1));

        output.WriteLine($"refused by the other instance {elapsed.TotalMilliseconds:F0} ms after sign-out returned");
        Assert.Null(await CurrentEmailAsync(client, first));
        Assert.Equal(email, await CurrentEmailAsync(otherClient, second));
        Assert.Equal(email, await CurrentEmailAsync(client, second));
    }

    [Fact]
    public async Task Revocations_MadeBeforeAServiceStarts_AreRefusedByIt()
    {
        await using var nats = await NatsServer.StartSecuredAsync();
        await using var auth = new AuthApp();
        auth.Settings["NATS_URL"] = nats.Url;
        var client = auth.CreateClientFrom();
        var (_, email, first) = await client.NewUserAsync();
        await SignOutAsync(client, first);

        await using var later = new AuthApp();
        later.Settings["NATS_URL"] = nats.Url;
        later.Settings["JWT_KEY"] = auth.JwtKey;
        var laterClient = later.CreateClientFrom();

        await Common.Testing.Eventually.TrueAsync(() => later.Service<RevokedSessions>().CaughtUp, "the new instance to read the bucket");
        Assert.Null(await CurrentEmailAsync(laterClient, first));
        Assert.Equal(email, await CurrentEmailAsync(laterClient, await SignInAsync(client, email)));
    }
}

/// <summary>Sign-out is a cookie-authenticated state change: another site cannot make a browser do it.</summary>
public sealed class CrossSiteSignoutTests(AuthAppFixture fixture) : IClassFixture<AuthAppFixture>
{
    [Fact]
    public async Task Signout_FromAnotherSite_Returns403_AndTheSessionGoesOn()
    {
        var client = fixture.App.CreateClientFrom();
        var (_, email, token) = await client.NewUserAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, AuthApi.Signout);
        request.Headers.Add("Cookie", SetCookie.CookieHeader(token));
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        request.Headers.Add("Origin", "https://evil.example");

        var response = await client.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, ("Cross-site requests are not allowed", null));
        Assert.Empty(SetCookie.Raw(response));
        using var check = new HttpRequestMessage(HttpMethod.Get, AuthApi.CurrentUser);
        check.Headers.Add("Cookie", SetCookie.CookieHeader(token));
        Assert.Equal(email, (await (await client.SendAsync(check)).Content.ReadFromJsonAsync<CurrentUserTests.Body>())!.CurrentUser?.Email);
    }
}
