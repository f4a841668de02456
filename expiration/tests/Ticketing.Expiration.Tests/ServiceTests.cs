using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Common.Hosting;
using Ticketing.Common.Testing.Processes;
using Ticketing.Expiration.Extensions;
using Ticketing.Expiration.Tests.Infrastructure;

namespace Ticketing.Expiration.Tests;

/// <summary>Settings, readiness and the dashboard: what an operator sees of a worker without an API.</summary>
public sealed class ServiceTests(Servers servers) : IClassFixture<Servers>
{
    [Fact]
    public async Task Handlers_AreExactlyItsConsumersInTheCatalogue_ThatProvisioningCreatesAndThePermissionFileGrants()
    {
        await using var app = ExpirationApp.On(servers);
        app.AssertHandlersMatchTheConsumerCatalogue();
    }

    [Theory]
    [InlineData("REDIS_URL")]
    [InlineData("NATS_URL")]
    public void Start_WithoutARequiredSetting_StopsWithAMessageNamingIt(string setting)
    {
        using var app = ExpirationApp.On(servers, settings: new Dictionary<string, string?> { [setting] = "" });

        var error = Assert.ThrowsAny<Exception>(() => app.Server);

        var invalid = Assert.IsType<InvalidSettingException>(error.GetBaseException());
        Assert.Equal(setting, invalid.Setting);
        Assert.Contains(setting, invalid.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("redis:6379", "redis:6379")]
    [InlineData("127.0.0.1:6380", "127.0.0.1:6380")]
    [InlineData("redis://cache.internal:6390/2", "cache.internal:6390")]
    [InlineData("redis://cache.internal", "cache.internal:6379")]
    public void RedisUrl_AcceptsHostPortAndRedisUris(string value, string endpoint)
    {
        var options = ExpirationOptions.ParseRedis(value);

        var actual = Assert.Single(options.EndPoints) switch
        {
            DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
            IPEndPoint ip => ip.ToString(),
            var other => other.ToString(),
        };
        Assert.Equal(endpoint, actual);
        Assert.False(options.AbortOnConnectFail); // starts while Redis is down; readiness says so
    }

    [Fact]
    public void RedisUrl_WithNoServer_IsRefusedNamingTheSetting()
    {
        var error = Assert.Throws<InvalidSettingException>(() => ExpirationOptions.ParseRedis(","));
        Assert.Equal("REDIS_URL", error.Setting);
    }

    [Fact]
    public async Task Ready_WithRedisAndNatsUp_IsHealthy_AndNamesBoth()
    {
        await using var app = await ExpirationApp.StartOnAsync(servers);
        using var client = app.CreateAnonymousClient();

        var checks = await Ticketing.Common.Testing.Eventually.ValueAsync(async () =>
        {
            using var response = await client.GetAsync(ServiceDefaults.ReadyPath);
            return response.StatusCode == HttpStatusCode.OK ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()) : null;
        }, "the service to be ready");

        var names = checks.RootElement.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order().ToArray();
        Assert.Equal(["nats", "redis"], names);
    }

    [Fact]
    public async Task Ready_WithRedisDown_Is503_NamingRedis_WhileLiveStaysHealthy()
    {
        var closedPort = FreePort.Next();
        await using var app = await ExpirationApp.StartOnAsync(servers, settings: new Dictionary<string, string?> { ["REDIS_URL"] = $"127.0.0.1:{closedPort}" });
        using var client = app.CreateAnonymousClient();

        using var ready = await client.GetAsync(ServiceDefaults.ReadyPath);
        using var live = await client.GetAsync(ServiceDefaults.LivePath);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var redis = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("redis");
        Assert.Equal("Unhealthy", redis.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Dashboard_ForALocalRequest_ShowsTheScheduledJobs_ReadOnly()
    {
        await using var app = await ExpirationApp.StartOnAsync(servers, services: ComingFrom(IPAddress.Loopback));
        await using var orders = await OrdersSide.StartAsync(servers.Nats.Url);
        var order = await orders.CreateOrderAsync(DateTimeOffset.UtcNow.AddHours(1));
        var jobId = await app.JobOfAsync(order.Id);
        using var client = app.CreateAnonymousClient();

        using var page = await client.GetAsync($"{ExpirationOptions.DashboardPath}/jobs/scheduled");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(jobId[..8], html, StringComparison.Ordinal);
        Assert.DoesNotContain("js-jobs-list-command", html, StringComparison.Ordinal); // no Delete / Enqueue buttons

        // Read-only: the dashboard's commands are refused and the job stays scheduled.
        using var delete = await client.PostAsync($"{ExpirationOptions.DashboardPath}/jobs/scheduled/delete",
            new FormUrlEncodedContent([new("jobs[]", jobId)]));
        Assert.False(delete.IsSuccessStatusCode);
        Assert.Equal("Scheduled", app.StateOf(jobId));
    }

    [Fact]
    public async Task Dashboard_ForARemoteOrForwardedRequest_IsRefused()
    {
        await using var remote = await ExpirationApp.StartOnAsync(servers, services: ComingFrom(IPAddress.Parse("10.1.2.3")));
        using (var client = remote.CreateAnonymousClient())
        using (var response = await client.GetAsync(ExpirationOptions.DashboardPath))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        await using var local = await ExpirationApp.StartOnAsync(servers, services: ComingFrom(IPAddress.Loopback));
        using var forwarded = local.CreateAnonymousClient();
        forwarded.DefaultRequestHeaders.Add("X-Forwarded-For", "127.0.0.1");
        using var refused = await forwarded.GetAsync(ExpirationOptions.DashboardPath);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    /// <summary>The in-memory test server has no client address: requests seem to come from <paramref name="address"/>.</summary>
    private static Action<IServiceCollection> ComingFrom(IPAddress address) =>
        services => services.AddSingleton<IStartupFilter>(new ClientAddress(address));

    private sealed class ClientAddress(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = address;
                context.Connection.LocalIpAddress = IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
