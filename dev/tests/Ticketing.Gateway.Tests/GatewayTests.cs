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
    private FakeService _payments = null!;

    public async Task InitializeAsync()
    {
        _auth = await FakeService.StartAsync("auth");
        _tickets = await FakeService.StartAsync("tickets");
        _orders = await FakeService.StartAsync("orders");
        _payments = await FakeService.StartAsync("payments");
    }

    public async Task DisposeAsync()
    {
        await _auth.DisposeAsync();
        await _tickets.DisposeAsync();
        await _orders.DisposeAsync();
        await _payments.DisposeAsync();
    }

    private Dictionary<string, Uri> AllServices() => new()
    {
        ["auth"] = _auth.Address,
        ["tickets"] = _tickets.Address,
        ["orders"] = _orders.Address,
        ["payments"] = _payments.Address,
    };

    [Theory]
    [InlineData("/api/users/currentuser", "auth")]
    [InlineData("/api/users", "auth")]
    [InlineData("/api/tickets", "tickets")]
    [InlineData("/api/tickets/abc?limit=5", "tickets")]
    [InlineData("/api/orders/123", "orders")]
    [InlineData("/api/payments", "payments")]
    [InlineData("/api/payments/webhook", "payments")]
    public async Task Request_UnderAPrefix_ReachesItsServiceUnchanged(string path, string service)
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
    public async Task Forwarding_AnyMethodAndBody_PassesThroughUnchanged()
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();

        using var response = await client.DeleteAsync("/api/orders/42");

        var echo = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("DELETE", echo.GetProperty("method").GetString());
    }

    [Fact]
    public async Task ForwardedHeaders_WhenTheCallerClaimsOthers_CarryTheRealClientAddressAndOriginalHost()
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
    [InlineData("/api/paymentsx")]
    [InlineData("/some/page")]
    public async Task Request_ToAPathNoRouteClaims_Returns404InTheErrorContract(string path)
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();

        using var response = await client.GetAsync(path);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ("Not Found", null));
    }

    [Fact]
    public async Task Request_WhenTheServiceIsDown_Returns503InTheErrorContractNamingIt()
    {
        var services = AllServices();
        services["tickets"] = new Uri($"http://127.0.0.1:{FreePort.Next()}");   // nobody listens there
        await using var gateway = new GatewayFactory(services);
        using var client = gateway.CreateHttpClient();

        using var response = await client.PostAsJsonAsync("/api/tickets", new { title = "x", price = 1 });

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ("The tickets service is not available; try again later", null));
    }

    [Fact]
    public async Task Request_ToARoutedServiceWithoutAnAddress_Returns503()
    {
        var services = AllServices();
        services.Remove("orders");
        await using var gateway = new GatewayFactory(services);
        using var client = gateway.CreateHttpClient();

        using var response = await client.GetAsync("/api/orders");

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ("The orders service is not running; try again later", null));
    }

    [Fact]
    public async Task Health_WhenEveryServiceRuns_ListsEachWithReadinessAndResponseTime()
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();

        using var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        var services = health.GetProperty("services");
        Assert.Equal(["auth", "orders", "payments", "tickets"], services.EnumerateObject().Select(p => p.Name).ToArray());
        foreach (var service in services.EnumerateObject())
        {
            Assert.Equal("Healthy", service.Value.GetProperty("status").GetString());
            Assert.True(service.Value.GetProperty("timeMs").GetDouble() >= 0);
            Assert.Equal(200, service.Value.GetProperty("httpStatus").GetInt32());
            Assert.Equal("Healthy", service.Value.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Health_WhenAServiceIsDownOrHung_AnswersPromptlyNamingIt()
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
    public async Task Root_WithoutAClient_IsALandingPageLinkingEveryApiDocument()
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Ticketing is running locally", html);
        foreach (var address in new[] { _auth.Address, _tickets.Address, _orders.Address, _payments.Address })
        {
            Assert.Contains(new Uri(address, "/openapi/v1.json").ToString(), html);
        }
    }

    [Fact]
    public async Task LandingPage_LinksTheExpirationDashboard_WhichNoRouteReaches()
    {
        await using var expiration = await FakeService.StartAsync("expiration");
        var services = AllServices();
        services["expiration"] = expiration.Address;
        await using var gateway = new GatewayFactory(services);
        using var client = gateway.CreateHttpClient();

        var html = await client.GetStringAsync("/");
        using var routed = await client.GetAsync("/hangfire");

        Assert.Contains($"href=\"{new Uri(expiration.Address, "/hangfire")}\"", html);
        Assert.Equal(HttpStatusCode.NotFound, routed.StatusCode);
    }

    [Fact]
    public async Task Root_WhenTheClientRuns_GoesToItWithEveryPathNoApiRouteClaims()
    {
        await using var web = await FakeService.StartAsync("client");
        var services = AllServices();
        services["client"] = web.Address;
        await using var gateway = new GatewayFactory(services);
        using var client = gateway.CreateHttpClient();

        foreach (var path in new[] { "/", "/tickets/new", "/api/nothing" })
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

    [Fact]
    public async Task Post_OfA3MBBody_Returns413EveryTime_AsTheIngressDoes()
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();
        var body = new byte[3 * 1024 * 1024];

        for (var i = 0; i < 20; i++)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = content };
            request.Headers.ExpectContinue = i % 2 == 1;   // as browsers (no) and curl (yes, above 1 MB) send it
            using var response = await client.SendAsync(request);

            await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ("Request body too large", null));
        }
    }

    [Fact]
    public async Task Post_OfAChunkedBodyOverTheLimit_Returns413()
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();
        using var content = new StreamContent(new MemoryStream(new byte[2 * 1024 * 1024]));   // no Content-Length: chunked
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Post_OfABodyAtTheLimit_IsForwarded()
    {
        await using var gateway = new GatewayFactory(AllServices());
        using var client = gateway.CreateHttpClient();
        using var content = new ByteArrayContent(new byte[1024 * 1024]);

        using var response = await client.PostAsync("/api/tickets", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tickets", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("service").GetString());
    }
}
