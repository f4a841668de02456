using System.Net;
using System.Text;
using Ticketing.Auth.Tests.Infrastructure;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Auth.Tests.Endpoints;

/// <summary>
/// Whatever a client sends to signup or signin, the answer is a 4xx in the error contract, never a 500, and no
/// operator-style value (<c>{"$ne": null}</c>) ever reaches the store as a query.
/// </summary>
public sealed class MalformedRequestTests(AuthAppFixture fixture) : IClassFixture<AuthAppFixture>
{
    private readonly HttpClient _client = fixture.App.CreateClientFrom();

    public static TheoryData<string> CredentialRoutes => [AuthApi.Signup, AuthApi.Signin];

    private Task<HttpResponseMessage> PostAsync(string route, string body, string contentType = "application/json") =>
        _client.PostAsync(route, new StringContent(body, Encoding.UTF8, contentType));

    [Theory]
    [MemberData(nameof(CredentialRoutes))]
    public async Task MalformedJson_Returns400(string route)
    {
        var response = await PostAsync(route, """{"email": "a@b.dev", """);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("The request body is not valid JSON", null));
    }

    [Theory]
    [MemberData(nameof(CredentialRoutes))]
    public async Task WrongContentType_Returns415(string route)
    {
        var response = await PostAsync(route, "email=a@b.dev&password=password1", "application/x-www-form-urlencoded");

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, ("Content type must be application/json", null));
    }

    [Theory]
    [MemberData(nameof(CredentialRoutes))]
    public async Task ThreeMegabyteBody_Returns413(string route)
    {
        var response = await PostAsync(route, $$"""{"email": "a@b.dev", "password": "{{new string('x', 3 * 1024 * 1024)}}"}""");

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, ("Request body too large", null));
    }

    [Theory]
    [MemberData(nameof(CredentialRoutes))]
    public async Task EmptyOrNullBody_Returns400(string route)
    {
        await (await PostAsync(route, "")).AssertProblemAsync(HttpStatusCode.BadRequest, ("A JSON request body is required", null));
        await (await PostAsync(route, "null")).AssertProblemAsync(HttpStatusCode.BadRequest, ("A JSON request body is required", null));
    }

    [Theory]
    [MemberData(nameof(CredentialRoutes))]
    public async Task BodyThatIsNotAnObject_Returns400(string route)
    {
        var response = await PostAsync(route, """["a@b.dev", "password1"]""");

        var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors();

        Assert.Equal([("The request body is not valid JSON", null)], errors);
    }

    [Theory]
    [InlineData("/api/users/signup", """{"email": 5, "password": "password1"}""", "email")]
    [InlineData("/api/users/signup", """{"email": "a@b.dev", "password": 12345678}""", "password")]
    [InlineData("/api/users/signup", """{"email": ["a@b.dev"], "password": "password1"}""", "email")]
    [InlineData("/api/users/signup", """{"email": true, "password": "password1"}""", "email")]
    [InlineData("/api/users/signin", """{"email": 5, "password": "password1"}""", "email")]
    [InlineData("/api/users/signin", """{"email": "a@b.dev", "password": false}""", "password")]
    public async Task WrongFieldType_Returns400_NamingTheField(string route, string body, string field)
    {
        var response = await PostAsync(route, body);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ($"Invalid value for '{field}'", field));
    }

    [Theory]
    [InlineData("/api/users/signup", """{"email": {"$ne": null}, "password": "password1"}""", "email")]
    [InlineData("/api/users/signin", """{"email": {"$ne": null}, "password": "password1"}""", "email")]
    [InlineData("/api/users/signin", """{"email": "a@b.dev", "password": {"$ne": null}}""", "password")]
    [InlineData("/api/users/signin", """{"email": {"$gt": ""}, "password": {"$gt": ""}}""", "email")]
    public async Task OperatorObjectInsteadOfAString_Returns400_NamingTheField(string route, string body, string field)
    {
        var response = await PostAsync(route, body);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ($"Invalid value for '{field}'", field));
    }

    [Fact]
    public async Task OperatorLookingStrings_AreTreatedAsPlainText()
    {
        var (_, email, _) = await _client.NewUserAsync();

        var asEmail = await PostAsync(AuthApi.Signin, """{"email": "{\"$ne\": null}", "password": "password1"}""");
        var asPassword = await PostAsync(AuthApi.Signin, $$"""{"email": "{{email}}", "password": "{\"$ne\": null}"}""");

        await asEmail.AssertProblemAsync(HttpStatusCode.BadRequest, ("Email must be valid", "email"));
        await asPassword.AssertProblemAsync(HttpStatusCode.BadRequest, ("Invalid credentials", null));
    }

    [Fact]
    public async Task UnknownFields_AreIgnored()
    {
        var email = AuthApi.NewEmail();

        var response = await PostAsync(AuthApi.Signup, $$"""{"email": "{{email}}", "password": "password1", "isAdmin": true, "id": "0123456789abcdef01234567"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.DoesNotContain("0123456789abcdef01234567", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongMethod_Returns405_AndUnknownRoute_Returns404()
    {
        await (await _client.GetAsync(AuthApi.Signup)).AssertProblemAsync(HttpStatusCode.MethodNotAllowed, ("Method not allowed", null));
        await (await _client.GetAsync("/api/users/nobody")).AssertProblemAsync(HttpStatusCode.NotFound, ("Not Found", null));
    }
}
