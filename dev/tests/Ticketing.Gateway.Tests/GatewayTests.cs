using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Gateway.Tests;

/// <summary>The gateway against fake services on real ports: what it forwards, how it fails, what /health says.</summary>
public sealed class GatewayTests : IAsyncLifetime
{
    private FakeService _auth = null!;
    private FakeService _tickets = null!;
    private FakeService _orders = null!;

    public async Task InitializeAsync()
    {
        _auth = await FakeService.StartAsync("auth");
        _tickets = await FakeService.StartAsync("tickets");
        _orders = await FakeService.StartAsync("orders");
    }

    public async Task DisposeAsync()
    {
        await _auth.DisposeAsync();
        await _tickets.DisposeAsync();
        await _orders.DisposeAsync();
    }

    private Dictionary<string, Uri> AllServices() => new()
    {
        ["auth"] = _auth.Address,
        ["tickets"] = _tickets.Address,
        ["orders"] = _orders.Address,
    };

    [Theory]
    [InlineData("/api/users/currentuser", "auth")]
    [InlineData("/api/users", "auth")]
    [InlineData("/api/tickets", "tickets")]
    [InlineData("/api/tickets/abc?limit=5", "tickets")]
    [InlineData("/api/orders/123", "orders")]
    public async Task A_path_under_a_prefix_reaches_its_service_unchanged(string path, string service)
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(service, echo.GetProperty("service").GetString());
        Assert.Equal(path, echo.GetProperty("path").GetString() + echo.GetProperty("query").GetString());
    }

    [Fact]
    public async Task Methods_and_bodies_pass_through()
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();

        using var response = await client.DeleteAsync("/api/orders/42");

        var echo = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("DELETE", echo.GetProperty("method").GetString());
    }

    [Fact]
    public async Task The_service_sees_the_real_client_address_and_the_original_host_not_what_the_caller_claims()
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/currentuser");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");

        using var response = await client.SendAsync(request);

        var echo = await response.Content.ReadFromJsonAsync<JsonElement>();
        var forwardedFor = echo.GetProperty("forwardedFor").GetString();
        Assert.True(forwardedFor is "127.0.0.1" or "::1", $"X-Forwarded-For was '{forwardedFor}'");
        Assert.Equal("http", echo.GetProperty("forwardedProto").GetString());
        Assert.Equal(client.BaseAddress!.Authority, echo.GetProperty("host").GetString());
    }

    [Theory]
    [InlineData("/api/nothing")]
    [InlineData("/api/usersx")]
    [InlineData("/api/payments")]
    [InlineData("/some/page")]
    public async Task A_path_no_route_claims_is_404_in_the_error_contract(string path)
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();

        using var response = await client.GetAsync(path);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ("Not Found", null));
    }

    [Fact]
    public async Task A_service_that_is_down_is_503_in_the_error_contract_naming_it()
    {
        var services = AllServices();
        services["tickets"] = new Uri($"http://127.0.0.1:{FreePort.Next()}");   // nobody listens there
        await using var gateway = new GatewayFactory(services);
        using var client = gateway.CreateHttpClient();

        using var response = await client.PostAsJsonAsync("/api/tickets", new { title = "x", price = 1 });

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ("The tickets service is not available; try again later", null));
    }

    [Fact]
    public async Task A_routed_service_the_gateway_has_no_address_for_is_503()
    {
        var services = AllServices();
        services.Remove("orders");
        await using var gateway = new GatewayFactory(services);
        using var client = gateway.CreateHttpClient();

        using var response = await client.GetAsync("/api/orders");

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ("The orders service is not running; try again later", null));
    }

    [Fact]
    public async Task Health_lists_every_service_with_its_readiness_and_response_time()
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();

        using var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        var services = health.GetProperty("services");
        Assert.Equal(["auth", "orders", "tickets"], services.EnumerateObject().Select(p => p.Name).ToArray());
        foreach (var service in services.EnumerateObject())
        {
            Assert.Equal("Healthy", service.Value.GetProperty("status").GetString());
            Assert.True(service.Value.GetProperty("timeMs").GetDouble() >= 0);
            Assert.Equal(200, service.Value.GetProperty("httpStatus").GetInt32());
            Assert.Equal("Healthy", service.Value.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Health_answers_promptly_and_says_which_service_is_down_or_hung()
    {
        using var hung = new HungService();
        await using var unready = await FakeService.StartAsync("orders", readyStatus: "Unhealthy");
        var services = AllServices();
        services["tickets"] = hung.Address;
        services["orders"] = unready.Address;
        services["expiration"] = new Uri($"http://127.0.0.1:{FreePort.Next()}");   // not routed, still listed
        await using var gateway = new GatewayFactory(services, healthTimeout: TimeSpan.FromMilliseconds(500));
        using var client = gateway.CreateHttpClient();

        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync("/health");
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"/health took {watch.Elapsed}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var health = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Unhealthy", health.GetProperty("status").GetString());
        var list = health.GetProperty("services");
        Assert.Equal("Healthy", list.GetProperty("auth").GetProperty("status").GetString());
        Assert.Equal("Unhealthy", list.GetProperty("tickets").GetProperty("status").GetString());
        Assert.Contains("no answer within 500 ms", list.GetProperty("tickets").GetProperty("error").GetString());
        Assert.Equal("Unhealthy", list.GetProperty("orders").GetProperty("status").GetString());
        Assert.Equal(503, list.GetProperty("orders").GetProperty("httpStatus").GetInt32());
        Assert.Contains("not reachable", list.GetProperty("expiration").GetProperty("error").GetString());
    }

    [Fact]
    public async Task Without_a_client_the_root_is_a_landing_page_linking_every_api_document()
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Ticketing is running locally", html);
        foreach (var address in new[] { _auth.Address, _tickets.Address, _orders.Address })
        {
            Assert.Contains(new Uri(address, "/openapi/v1.json").ToString(), html);
        }
    }

    [Fact]
    public async Task Once_the_client_runs_it_takes_the_root_and_every_path_no_api_route_claims()
    {
        await using var web = await FakeService.StartAsync("client");
        var services = AllServices();
        services["client"] = web.Address;
        await using var gateway = new GatewayFactory(services);
        using var client = gateway.CreateHttpClient();

        foreach (var path in new[] { "/", "/tickets/new", "/api/payments" })
        {
            using var response = await client.GetAsync(path);
            var echo = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("client", echo.GetProperty("service").GetString());
        }

        using var api = await client.GetAsync("/api/tickets");
        Assert.Equal("tickets", (await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("service").GetString());
        using var health = await client.GetAsync("/health");
        Assert.True((await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("services").TryGetProperty("client", out _));
    }

    [Fact]
    public async Task With_the_client_running_the_gateways_own_page_stays_at_slash_gateway()
    {
        await using var web = await FakeService.StartAsync("client");
        var services = AllServices();
        services["client"] = web.Address;
        await using var gateway = new GatewayFactory(services);
        using var client = gateway.CreateHttpClient();

        using var response = await client.GetAsync(LandingPage.Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Ticketing is running locally", html);
        Assert.Contains("<td>client</td>", html);
    }
}
