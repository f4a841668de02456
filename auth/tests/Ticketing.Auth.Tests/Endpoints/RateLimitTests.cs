using System.Net;
using Ticketing.Auth.Tests.Infrastructure;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Auth.Tests.Endpoints;

/// <summary>
/// Signup and signin are limited per client address (<c>AUTH_RATE_LIMIT</c> per <c>AUTH_RATE_LIMIT_WINDOW_SECONDS</c>).
/// The address comes from <c>X-Forwarded-For</c>, as the ingress sends it; the window is an hour so it cannot
/// roll over during a test.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly AuthApp _app = new();

    public RateLimitTests()
    {
        _app.Settings["AUTH_RATE_LIMIT"] = "10";
        _app.Settings["AUTH_RATE_LIMIT_WINDOW_SECONDS"] = "3600";
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static async Task<List<HttpStatusCode>> SignInTimesAsync(HttpClient client, int times)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < times; i++)
        {
            statuses.Add((await client.SignInAsync("nobody@test.dev", "wrong password")).StatusCode);
        }

        return statuses;
    }

    [Fact]
    public async Task Signin_TheEleventhFromOneAddressWithinTheWindow_Returns429_WithRetryAfter()
    {
        var client = _app.CreateClientFrom("203.0.113.10");

        var first10 = await SignInTimesAsync(client, 10);
        var eleventh = await client.SignInAsync("nobody@test.dev", "wrong password");

        Assert.All(first10, status => Assert.Equal(HttpStatusCode.BadRequest, status));
        await eleventh.AssertProblemAsync(HttpStatusCode.TooManyRequests, ("Too many requests; try again later", null));
        var retryAfter = Assert.Single(eleventh.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 3600);
    }

    [Fact]
    public async Task Signin_WhenLimited_RefusesEvenCorrectCredentials()
    {
        var client = _app.CreateClientFrom("203.0.113.11");
        var (_, email, _) = await client.NewUserAsync();
        await SignInTimesAsync(client, 10);

        var response = await client.SignInAsync(email);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Empty(SetCookie.Raw(response));
    }

    [Fact]
    public async Task Signup_TheEleventhFromOneAddressWithinTheWindow_Returns429()
    {
        var client = _app.CreateClientFrom("203.0.113.12");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            statuses.Add((await client.SignUpAsync("not-an-email")).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.BadRequest, 10), HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Limit_IsPerClientAddress()
    {
        var limited = _app.CreateClientFrom("203.0.113.13");
        await SignInTimesAsync(limited, 10);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await limited.SignInAsync("nobody@test.dev", "wrong password")).StatusCode);

        var other = _app.CreateClientFrom("198.51.100.13");

        Assert.Equal(HttpStatusCode.BadRequest, (await other.SignInAsync("nobody@test.dev", "wrong password")).StatusCode);
    }

    [Fact]
    public async Task Limit_GroupsIPv6ClientsByTheirSlash64()
    {
        await SignInTimesAsync(_app.CreateClientFrom("2001:db8:1:2::1"), 10);

        var sameNetwork = _app.CreateClientFrom("2001:db8:1:2:ffff::99");
        var otherNetwork = _app.CreateClientFrom("2001:db8:1:3::1");

        Assert.Equal(HttpStatusCode.TooManyRequests, (await sameNetwork.SignInAsync("nobody@test.dev", "wrong password")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await otherNetwork.SignInAsync("nobody@test.dev", "wrong password")).StatusCode);
    }

    [Fact]
    public async Task Signup_WhenSigninIsLimited_IsStillAllowedAndOtherRoutesAreNotLimited()
    {
        var client = _app.CreateClientFrom("203.0.113.14");
        await SignInTimesAsync(client, 11);

        Assert.Equal(HttpStatusCode.Created, (await client.SignUpAsync(AuthApi.NewEmail())).StatusCode);
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(AuthApi.CurrentUser)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(AuthApi.Signout, null)).StatusCode);
        }
    }

    [Fact]
    public async Task Limit_IsLiftedWhenTheWindowEnds()
    {
        await using var app = new AuthApp();
        app.Settings["AUTH_RATE_LIMIT"] = "1";
        app.Settings["AUTH_RATE_LIMIT_WINDOW_SECONDS"] = "1";
        var client = app.CreateClientFrom("203.0.113.15");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SignInAsync("nobody@test.dev", "wrong password")).StatusCode);
        var limited = await client.SignInAsync("nobody@test.dev", "wrong password");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("1", Assert.Single(limited.Headers.GetValues("Retry-After")));

        await Eventually.TrueAsync(
            async () => (await client.SignInAsync("nobody@test.dev", "wrong password")).StatusCode == HttpStatusCode.BadRequest,
            "signin allowed again after the 1 s window",
            TimeSpan.FromSeconds(10));
    }
}

/// <summary>
/// Whose address a limit counts: <c>X-Forwarded-For</c> is believed only from peers in <c>FORWARDED_TRUSTED_NETWORKS</c>
/// (default loopback), hop by hop, so a spoofed header neither dodges nor exhausts someone else's budget, and the chain
/// browser -> ingress -> web client -> ingress -> API keeps the browser's address.
/// </summary>
public sealed class ForwardedAddressTests
{
    private static AuthApp App(string? trusted = null)
    {
        var app = new AuthApp();
        app.Settings["AUTH_RATE_LIMIT"] = "3";
        app.Settings["AUTH_RATE_LIMIT_WINDOW_SECONDS"] = "3600";
        if (trusted is not null)
        {
            app.Settings["FORWARDED_TRUSTED_NETWORKS"] = trusted;
        }

        return app;
    }

    private static async Task<HttpStatusCode> SignInFromAsync(AuthApp app, string forwardedFor)
    {
        using var client = app.CreateClientFrom(forwardedFor);
        return (await client.SignInAsync("nobody@test.dev", "wrong password")).StatusCode;
    }

    [Fact]
    public async Task SpoofedForwardedFor_FromAnUntrustedPeer_CountsAgainstThePeer()
    {
        await using var app = App();
        app.RemoteAddress = IPAddress.Parse("203.0.113.9");   // a caller reaching the service directly, not through the proxy

        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 4; i++)
        {
            statuses.Add(await SignInFromAsync(app, $"198.51.100.{i}"));   // a new "client address" every time
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task SpoofedForwardedFor_BehindTheTrustedProxy_CountsAgainstTheCallerTheProxySaw()
    {
        await using var app = App();   // the peer is loopback: the local gateway, trusted

        // The caller wrote "198.51.100.1"; the gateway appended the caller's real address.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, await SignInFromAsync(app, $"198.51.100.{i + 1}, 203.0.113.20"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInFromAsync(app, "198.51.100.99, 203.0.113.20"));
        Assert.Equal(HttpStatusCode.BadRequest, await SignInFromAsync(app, "203.0.113.21"));   // someone else is not affected
    }

    [Fact]
    public async Task TrustedChain_BrowserIngressClientIngressApi_KeepsTheBrowsersAddress()
    {
        // Kubernetes: the ingress controller and the web client run in the pod network 10.0.0.0/8.
        await using var app = App("127.0.0.0/8,10.0.0.0/8");

        // X-Forwarded-For as the API receives it: the browser, then the web client pod (appended by the ingress).
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, await SignInFromAsync(app, "198.51.100.7, 10.1.2.3"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInFromAsync(app, "198.51.100.7, 10.1.2.3"));
        Assert.Equal(HttpStatusCode.BadRequest, await SignInFromAsync(app, "198.51.100.8, 10.1.2.3"));   // another browser, same client pod
    }

    [Fact]
    public async Task InvalidTrustedNetworks_StopTheServiceNamingTheSetting()
    {
        await using var app = App("10.0.0.0/33");

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClientFrom());

        Assert.Contains("FORWARDED_TRUSTED_NETWORKS", error.ToString(), StringComparison.Ordinal);
    }
}
