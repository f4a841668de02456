using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Common.Tests.Http;

/// <summary>
/// Every failure a service can meet comes back in the error contract (problem+json with the errors list),
/// with the right status and a message a client can show; none is a 500 unless something really broke,
/// and a 500 shows no internals.
/// </summary>
public sealed class ErrorContractTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync(new Dictionary<string, string?> { ["MAX_REQUEST_BODY_BYTES"] = "1048576" });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private HttpClient Client => _app.Client;

    [Fact]
    public async Task Validation_Returns400_WithMessageAndFieldPerInvalidField()
    {
        var response = await Client.PostAsJsonAsync("/widgets", new { name = "", price = -1 });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal([("Name is required", "name"), ("Price must be greater than 0", "price")], problem.Errors());
    }

    [Fact]
    public async Task ValidRequest_PassesTheFilter()
    {
        var response = await Client.PostAsJsonAsync("/widgets", new { name = "ok", price = 1 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task BusinessRule_Returns400_WithItsMessage_AndNoField()
    {
        var problem = await (await Client.GetAsync("/rule")).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(("Ticket is already reserved", null), problem.Errors()[0]);
        Assert.DoesNotContain("field", problem["errors"]![0]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task UnknownRoute_Returns404()
    {
        var problem = await (await Client.GetAsync("/no/such/route")).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("Not Found", problem.Errors()[0].Message);
    }

    [Fact]
    public async Task MalformedId_Returns404()
    {
        var problem = await (await Client.GetAsync("/widgets/not-an-id")).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("Not Found", problem.Errors()[0].Message);
    }

    [Fact]
    public async Task WellFormedId_ReachesTheEndpoint()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/widgets/0123456789abcdef01234567")).StatusCode);
    }

    [Fact]
    public async Task NotSignedIn_Returns401()
    {
        var problem = await (await Client.GetAsync("/secret")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Not authorized", problem.Errors()[0].Message);
    }

    [Fact]
    public async Task NotTheOwner_Returns403()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/widgets/0123456789abcdef01234567");
        request.Headers.Authorization = Testing.Web.TestUsers.Bearer(_app.JwtKey, "u1", "u1@test.dev");
        var problem = await (await Client.SendAsync(request)).ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("Forbidden", problem.Errors()[0].Message);
    }

    [Fact]
    public async Task BodyTooLarge_Returns413()
    {
        var body = new StringContent($"{{\"name\":\"{new string('x', 3 * 1024 * 1024)}\",\"price\":1}}", Encoding.UTF8, "application/json");
        var problem = await (await Client.PostAsync("/widgets", body)).ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("Request body too large", problem.Errors()[0].Message);
    }

    [Fact]
    public async Task WrongContentType_Returns415()
    {
        var body = new StringContent("name=x&price=1", Encoding.UTF8, "application/x-www-form-urlencoded");
        var problem = await (await Client.PostAsync("/widgets", body)).ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("Content type must be application/json", problem.Errors()[0].Message);
    }

    [Theory]
    [InlineData("{\"name\": \"x\", ")]
    [InlineData("not json at all")]
    public async Task MalformedJson_Returns400(string json)
    {
        var problem = await (await Client.PostAsync("/widgets", new StringContent(json, Encoding.UTF8, "application/json"))).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("JSON", problem.Errors()[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\": 5, \"price\": 1}", "name")]
    [InlineData("{\"name\": {\"$ne\": null}, \"price\": 1}", "name")]
    [InlineData("{\"name\": \"x\", \"price\": \"ten\"}", "price")]
    [InlineData("{\"name\": \"x\", \"price\": \"10\"}", "price")]
    public async Task WrongFieldType_Returns400_NamingTheField(string json, string field)
    {
        var problem = await (await Client.PostAsync("/widgets", new StringContent(json, Encoding.UTF8, "application/json"))).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(($"Invalid value for '{field}'", field), problem.Errors()[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    public async Task EmptyBody_Returns400(string json)
    {
        var problem = await (await Client.PostAsync("/widgets", new StringContent(json, Encoding.UTF8, "application/json"))).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("A JSON request body is required", problem.Errors()[0].Message);
    }

    [Fact]
    public async Task UnknownFields_AreIgnored()
    {
        var response = await Client.PostAsync("/widgets", new StringContent("{\"name\":\"x\",\"price\":1,\"extra\":true}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task BadQueryValue_Returns400_NamingTheParameter()
    {
        var problem = await (await Client.GetAsync("/widgets?limit=abc")).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(("Invalid value for 'limit'", "limit"), problem.Errors()[0]);
    }

    [Fact]
    public async Task WrongMethod_Returns405()
    {
        var problem = await (await Client.DeleteAsync("/widgets")).ReadProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Equal("Method not allowed", problem.Errors()[0].Message);
    }

    [Fact]
    public async Task UnexpectedException_Returns500_WithoutInternals()
    {
        var response = await Client.GetAsync("/boom");

        var problem = await response.ReadProblemAsync(HttpStatusCode.InternalServerError);
        Assert.Equal("Something went wrong", problem.Errors()[0].Message);
        var text = problem.ToJsonString();
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain("at ", (string?)problem["detail"] ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatabaseUnreachable_Returns503_WithRetryAfter()
    {
        var response = await Client.GetAsync("/db-down");

        var problem = await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Service temporarily unavailable; try again later", problem.Errors()[0].Message);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task HealthEndpoints_AnswerInEveryEnvironment()
    {
        var live = await Client.GetAsync("/health/live");
        var ready = await Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", (string?)JsonNode.Parse(await live.Content.ReadAsStringAsync())!["status"]);
    }

    [Fact]
    public async Task OpenApiDocument_IsServed()
    {
        var response = await Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(document.RootElement.GetProperty("paths").TryGetProperty("/widgets", out _));
    }
}
