using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Ticketing.Auth.Endpoints;
using Ticketing.Auth.Tests.Infrastructure;

namespace Ticketing.Auth.Tests.Endpoints;

/// <summary>The per-account sign-in throttle: a delay that grows with failures, capped, reset on success, never a lock.</summary>
public sealed class SigninThrottleTests
{
    private static readonly SigninThrottleSettings Defaults = new(3, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

    [Fact]
    public void Delay_AfterTheFreeFailures_DoublesUpToTheCap()
    {
        var throttle = new SigninThrottle(Defaults, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var delays = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            delays.Add(throttle.DelayFor("a@test.dev").TotalMilliseconds);
            throttle.Failed("a@test.dev");
        }

        Assert.Equal([0, 0, 0, 0, 250, 500, 1000, 2000, 4000, 5000], delays);
        Assert.Equal(TimeSpan.Zero, throttle.DelayFor("b@test.dev"));   // per account
    }

    [Fact]
    public void Delay_AfterASuccess_OrAQuarterHourWithoutFailures_IsGone()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var throttle = new SigninThrottle(Defaults, time);
        for (var i = 0; i < 6; i++)
        {
            throttle.Failed("a@test.dev");
            throttle.Failed("b@test.dev");
        }

        throttle.Succeeded("a@test.dev");
        Assert.Equal(TimeSpan.Zero, throttle.DelayFor("a@test.dev"));
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.DelayFor("b@test.dev"));

        time.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(TimeSpan.Zero, throttle.DelayFor("b@test.dev"));
    }

    [Fact]
    public async Task Signin_AfterFailuresBySomeoneElse_IsDelayedNotRefused_TheOwnerGetsInAndResetsIt()
    {
        await using var app = new AuthApp();
        app.Settings["SIGNIN_THROTTLE_FREE_ATTEMPTS"] = "1";
        app.Settings["SIGNIN_THROTTLE_BASE_DELAY_MS"] = "1000";
        app.Settings["SIGNIN_THROTTLE_MAX_DELAY_MS"] = "1000";
        var client = app.CreateClientFrom();
        var (_, email, _) = await client.NewUserAsync();
        var other = AuthApi.NewEmail();
        await client.SignUpAsync(other);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await client.SignInAsync(email, "a wrong guess")).StatusCode);
        }

        var owner = Stopwatch.StartNew();
        var response = await client.SignInAsync(email);
        owner.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);                // delayed, never locked
        Assert.True(owner.Elapsed >= TimeSpan.FromMilliseconds(990), $"the owner's sign-in took {owner.Elapsed.TotalMilliseconds:F0} ms");
        var throttle = app.Service<SigninThrottle>();
        Assert.Equal(TimeSpan.Zero, throttle.DelayFor(email));              // the success reset it
        Assert.Equal(TimeSpan.Zero, throttle.DelayFor(other));              // other accounts never slowed
    }

    [Fact]
    public async Task Signin_ForAnUnknownEmail_IsThrottledTheSame()
    {
        await using var app = new AuthApp();
        app.Settings["SIGNIN_THROTTLE_FREE_ATTEMPTS"] = "1";
        app.Settings["SIGNIN_THROTTLE_BASE_DELAY_MS"] = "1000";
        var client = app.CreateClientFrom();
        var unknown = AuthApi.NewEmail();
        for (var i = 0; i < 2; i++)
        {
            await client.SignInAsync(unknown, "guess");
        }

        Assert.Equal(TimeSpan.FromSeconds(1), app.Service<SigninThrottle>().DelayFor(unknown));
    }
}
