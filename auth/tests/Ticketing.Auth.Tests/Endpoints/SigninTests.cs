using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Ticketing.Auth.Data;
using Ticketing.Auth.Domain;
using Ticketing.Auth.Tests.Infrastructure;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Auth.Tests.Endpoints;

/// <summary><c>POST /api/users/signin</c> (docs/api.md §3).</summary>
public sealed class SigninTests(AuthAppFixture fixture) : IClassFixture<AuthAppFixture>
{
    private readonly HttpClient _client = fixture.App.CreateClientFrom();

    [Fact] // course: "fails when a email that does not exist is supplied"
    public async Task Signin_WithUnknownEmail_Returns400_InvalidCredentials()
    {
        var response = await _client.SignInAsync(AuthApi.NewEmail());

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Invalid credentials", null));
        Assert.Empty(SetCookie.Raw(response));
    }

    [Fact] // course: "fails when an incorrect password is supplied"
    public async Task Signin_WithWrongPassword_Returns400_InvalidCredentials()
    {
        var (_, email, _) = await _client.NewUserAsync();

        var response = await _client.SignInAsync(email, "wrong password");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Invalid credentials", null));
        Assert.Empty(SetCookie.Raw(response));
    }

    [Fact] // course: "responds with a cookie when given valid credentials"
    public async Task Signin_WithValidCredentials_Returns200WithTheUserAndSetsTheSessionCookie()
    {
        var (id, email, _) = await _client.NewUserAsync();

        var response = await _client.SignInAsync(email);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new AuthApi.UserBody(id, email), await response.Content.ReadFromJsonAsync<AuthApi.UserBody>());
        var cookie = SetCookie.Session(response);
        Assert.False(string.IsNullOrEmpty(cookie.Value.Value));
        Assert.True(cookie.HttpOnly);
        Assert.True(cookie.Secure);
        Assert.Equal(SameSiteMode.Lax, cookie.SameSite);
        Assert.Equal("/", cookie.Path.Value);
    }

    [Fact]
    public async Task Signin_WithTheEmailInAnotherCaseOrWithSpaces_SignsIn()
    {
        var (id, email, _) = await _client.NewUserAsync();

        var response = await _client.SignInAsync($"  {email.ToUpperInvariant()}\t");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(id, (await response.Content.ReadFromJsonAsync<AuthApi.UserBody>())!.Id);
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("")]
    public async Task Signin_WithInvalidEmail_Returns400_EmailMustBeValid(string email)
    {
        var response = await _client.SignInAsync(email);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Email must be valid", "email"));
    }

    [Fact]
    public async Task Signin_WithEmptyPassword_Returns400_YouMustSupplyAPassword()
    {
        var response = await _client.SignInAsync(AuthApi.NewEmail(), "");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("You must supply a password", "password"));
    }

    [Fact]
    public async Task Signin_WithMissingPassword_Returns400_YouMustSupplyAPassword()
    {
        var response = await _client.PostAsJsonAsync(AuthApi.Signin, new { email = AuthApi.NewEmail() });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("You must supply a password", "password"));
    }

    [Fact]
    public async Task Signin_WithMissingEmailAndPassword_Returns400_NamingBothFields()
    {
        var response = await _client.PostAsJsonAsync(AuthApi.Signin, new { });

        var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors();
        Assert.Equal([("Email must be valid", "email"), ("You must supply a password", "password")], errors);
    }

    [Fact]
    public async Task Signin_WithAPasswordOfSpaces_ChecksIt_RatherThanCallingItMissing()
    {
        var (_, email, _) = await _client.NewUserAsync();

        var response = await _client.SignInAsync(email, "        ");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Invalid credentials", null));
    }

    [Fact]
    public async Task Signin_WithUnknownEmail_DoesTheSameHashingWorkAsAWrongPassword()
    {
        var hasher = new CountingHasher();
        await using var counted = new AuthApp { TestServices = s => s.AddSingleton<IPasswordHasher<User>>(hasher) };
        var client = counted.CreateClientFrom();
        var (_, email, _) = await client.NewUserAsync();

        hasher.Verifications = 0;
        await (await client.SignInAsync(email, "wrong password")).AssertProblemAsync(HttpStatusCode.BadRequest, ("Invalid credentials", null));
        var forWrongPassword = hasher.Verifications;

        hasher.Verifications = 0;
        await (await client.SignInAsync(AuthApi.NewEmail())).AssertProblemAsync(HttpStatusCode.BadRequest, ("Invalid credentials", null));
        var forUnknownEmail = hasher.Verifications;

        Assert.Equal(1, forWrongPassword);
        Assert.Equal(forWrongPassword, forUnknownEmail);
    }

    [Fact]
    public async Task Signin_WithAHashFromOlderParameters_SignsIn_AndStoresAFreshHash()
    {
        var email = AuthApi.NewEmail();
        var user = new User { Id = DocumentIds.New(), Email = email, PasswordHash = string.Empty };
        var legacy = new PasswordHasher<User>(Options.Create(new PasswordHasherOptions { CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV2 }));
        user = user with { PasswordHash = legacy.HashPassword(user, AuthApp.Password) };
        Assert.True(await fixture.App.Service<IUserStore>().TryAddAsync(user));

        var response = await _client.SignInAsync(email);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = (await fixture.App.Service<IUserStore>().FindByEmailAsync(email))!;
        Assert.NotEqual(user.PasswordHash, stored.PasswordHash);
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<User>().VerifyHashedPassword(stored, stored.PasswordHash, AuthApp.Password));
        Assert.Equal(HttpStatusCode.OK, (await _client.SignInAsync(email)).StatusCode);
    }

    /// <summary>The real hasher, counting how often a password is checked.</summary>
    private sealed class CountingHasher : IPasswordHasher<User>
    {
        private readonly PasswordHasher<User> _inner = new();
        private int _verifications;

        public int Verifications
        {
            get => Volatile.Read(ref _verifications);
            set => Volatile.Write(ref _verifications, value);
        }

        public string HashPassword(User user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
