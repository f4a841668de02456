using System.Net;
using System.Text.Json.Nodes;
using Ticketing.Auth.Tests.Infrastructure;
using Ticketing.Common.Testing;

namespace Ticketing.Auth.Tests;

/// <summary>What operators and other developers rely on: health probes, the OpenAPI document, logs without secrets.</summary>
public sealed class ServiceTests(AuthAppFixture fixture) : IClassFixture<AuthAppFixture>
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task HealthEndpoints_Answer200_WhenTheStoreIsUp(string path)
    {
        var response = await fixture.App.CreateClientFrom().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheFourRoutes()
    {
        var document = JsonNode.Parse(await fixture.App.CreateClientFrom().GetStringAsync("/openapi/v1.json"))!;

        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => (path.Key, op.Key, (string?)op.Value!["operationId"])))
            .OrderBy(o => o.Item1)
            .ToList();
        Assert.Equal(
            [
                ("/api/users/currentuser", "get", "GetCurrentUser"),
                ("/api/users/signin", "post", "SignIn"),
                ("/api/users/signout", "post", "SignOut"),
                ("/api/users/signup", "post", "SignUp"),
            ],
            operations);
        var signup = document["paths"]!["/api/users/signup"]!["post"]!["responses"]!.AsObject();
        Assert.Equal(["201", "400", "429"], signup.Select(r => r.Key).Order());
    }

    [Fact]
    public async Task Logs_NeverContainPasswordsTokensOrHashes()
    {
        var logs = new CapturedLogs();
        await using var logged = new AuthApp { Logs = logs };
        var client = logged.CreateClientFrom();
        const string password = "p4ssw0rd-that-must-not-be-logged";
        var email = AuthApi.NewEmail();

        var signup = await client.SignUpAsync(email, password);
        var token = SetCookie.Session(signup).Value.Value!;
        await client.SignInAsync(email, password);
        await client.SignInAsync(email, password + "-wrong");
        await client.SignUpAsync(email, password);
        using var request = new HttpRequestMessage(HttpMethod.Get, AuthApi.CurrentUser);
        request.Headers.Add("Cookie", SetCookie.CookieHeader(token));
        await client.SendAsync(request);
        var hash = (await logged.Service<Ticketing.Auth.Data.IUserStore>().FindByEmailAsync(email))!.PasswordHash;

        Assert.Contains(logs.Entries, e => e.Contains("signed up", StringComparison.Ordinal)); // the capture works
        Assert.DoesNotContain(logs.Entries, e => e.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Contains(token, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Contains(hash, StringComparison.Ordinal));
    }
}
