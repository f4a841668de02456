using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Net.Http.Headers;
using Ticketing.Auth.Data;
using Ticketing.Auth.Domain;
using Ticketing.Auth.Tests.Infrastructure;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Auth.Tests.Endpoints;

/// <summary><c>POST /api/users/signup</c> (docs/api.md §3).</summary>
public sealed class SignupTests(AuthAppFixture fixture) : IClassFixture<AuthAppFixture>
{
    private readonly HttpClient _client = fixture.App.CreateClientFrom();

    [Fact] // course: "returns a 201 on successful signup"
    public async Task Signup_WithValidCredentials_Returns201_WithIdAndEmailOnly()
    {
        var email = AuthApi.NewEmail();

        var response = await _client.SignUpAsync(email);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(["email", "id"], body.Select(p => p.Key).Order());
        Assert.Equal(email, (string?)body["email"]);
        Assert.Matches("^[0-9a-f]{24}$", (string?)body["id"]);
    }

    [Fact] // course: "sets a cookie after successful signup"
    public async Task Signup_SetsTheSessionCookie_HttpOnlyLaxSecureOnRootPath()
    {
        var response = await _client.SignUpAsync(AuthApi.NewEmail());

        var cookie = SetCookie.Session(response);
        Assert.False(string.IsNullOrEmpty(cookie.Value.Value));
        Assert.True(cookie.HttpOnly);
        Assert.True(cookie.Secure);
        Assert.Equal(SameSiteMode.Lax, cookie.SameSite);
        Assert.Equal("/", cookie.Path.Value);
        Assert.True(cookie.Expires > DateTimeOffset.UtcNow.AddDays(6), "the cookie lives as long as the token (7 days by default)");
    }

    [Theory] // course: "returns a 400 with an invalid email"
    [InlineData("not-an-email")]
    [InlineData("missing-domain@")]
    [InlineData("@missing-local.dev")]
    [InlineData("two@@ats.dev")]
    [InlineData("no-dot@localhost")]
    [InlineData("spaces inside@test.dev")]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Signup_WithInvalidEmail_Returns400_EmailMustBeValid(string email)
    {
        var response = await _client.SignUpAsync(email);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Email must be valid", "email"));
    }

    [Fact]
    public async Task Signup_WithEmailLongerThan254Characters_Returns400()
    {
        var email = $"{new string('l', 64)}@{new string('a', 63)}.{new string('b', 63)}.{new string('c', 58)}.dev";

        var response = await _client.SignUpAsync(email);

        Assert.Equal(255, email.Length);
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Email must be valid", "email"));
    }

    [Theory] // course: "returns a 400 with an invalid password"
    [InlineData("")]
    [InlineData("p")]
    [InlineData("1234567")]
    [InlineData("       ")]
    public async Task Signup_WithTooShortPassword_Returns400(string password)
    {
        var response = await _client.SignUpAsync(AuthApi.NewEmail(), password);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Password must be between 8 and 128 characters", "password"));
    }

    [Fact]
    public async Task Signup_WithPasswordOver128Characters_Returns400()
    {
        var response = await _client.SignUpAsync(AuthApi.NewEmail(), new string('x', 129));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Password must be between 8 and 128 characters", "password"));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(128)]
    public async Task Signup_WithPasswordAtTheLengthBounds_Returns201(int length)
    {
        var response = await _client.SignUpAsync(AuthApi.NewEmail(), new string('x', length));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Signup_CountsPasswordLengthInCharacters_NotUtf16Units()
    {
        // 128 emoji are 256 UTF-16 code units, but 128 characters.
        var response = await _client.SignUpAsync(AuthApi.NewEmail(), string.Concat(Enumerable.Repeat("🎟", 128)));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact] // course: "returns a 400 with missing email and password"
    public async Task Signup_WithMissingEmailAndPassword_Returns400_NamingBothFields()
    {
        var response = await _client.PostAsJsonAsync(AuthApi.Signup, new { });

        var errors = (await response.ReadProblemAsync(HttpStatusCode.BadRequest)).Errors();
        Assert.Equal([("Email must be valid", "email"), ("Password must be between 8 and 128 characters", "password")], errors);
    }

    [Fact]
    public async Task Signup_WithMissingPassword_Returns400_ForThePassword()
    {
        var response = await _client.PostAsJsonAsync(AuthApi.Signup, new { email = AuthApi.NewEmail() });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Password must be between 8 and 128 characters", "password"));
    }

    [Fact]
    public async Task Signup_WithMissingEmail_Returns400_ForTheEmail()
    {
        var response = await _client.PostAsJsonAsync(AuthApi.Signup, new { password = AuthApp.Password });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Email must be valid", "email"));
    }

    [Fact] // course: "disallows duplicate emails"
    public async Task Signup_WithDuplicateEmail_Returns400_EmailInUse()
    {
        var email = AuthApi.NewEmail();
        Assert.Equal(HttpStatusCode.Created, (await _client.SignUpAsync(email)).StatusCode);

        var response = await _client.SignUpAsync(email, "another password");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Email in use", null));
        Assert.Empty(SetCookie.Raw(response));
    }

    [Theory]
    [InlineData("  {0}  ")]     // {0}: the email as first signed up
    [InlineData("{1}")]         // {1}: the same email in upper case
    [InlineData("\t{1}\n")]
    public async Task Signup_WithEmailDifferingOnlyInCaseOrSurroundingSpaces_Returns400_EmailInUse(string spelling)
    {
        var email = AuthApi.NewEmail();
        Assert.Equal(HttpStatusCode.Created, (await _client.SignUpAsync(email)).StatusCode);

        var response = await _client.SignUpAsync(string.Format(null, spelling, email, email.ToUpperInvariant()));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Email in use", null));
    }

    [Fact]
    public async Task Signup_StoresAndAnswersTheEmailTrimmedAndLowerCased()
    {
        var email = AuthApi.NewEmail();

        var response = await _client.SignUpAsync($"  {email.ToUpperInvariant()} ");

        Assert.Equal(email, (await response.Content.ReadFromJsonAsync<AuthApi.UserBody>())!.Email);
        Assert.Equal(email, (await fixture.App.Service<IUserStore>().FindByEmailAsync(email))!.Email);
    }

    [Fact]
    public async Task Signup_TwentyConcurrentRequestsForOneEmail_CreateExactlyOneUser()
    {
        var email = AuthApi.NewEmail();
        var spellings = Enumerable.Range(0, 20).Select(i => (i % 3) switch { 0 => email, 1 => email.ToUpperInvariant(), _ => $" {email} " });

        var responses = await Task.WhenAll(spellings.Select(e => Task.Run(() => _client.SignUpAsync(e))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await refused.AssertProblemAsync(HttpStatusCode.BadRequest, ("Email in use", null));
        }

        var users = fixture.App.Service<Ticketing.Common.Storage.IDocumentCollection<User>>();
        Assert.Single(await users.FindAsync(u => u.Email == email));
    }

    [Fact]
    public async Task Signup_StoresASaltedSlowHash_NeverThePassword()
    {
        var first = AuthApi.NewEmail();
        var second = AuthApi.NewEmail();
        await _client.SignUpAsync(first);
        await _client.SignUpAsync(second);

        var store = fixture.App.Service<IUserStore>();
        var a = (await store.FindByEmailAsync(first))!;
        var b = (await store.FindByEmailAsync(second))!;

        Assert.DoesNotContain(AuthApp.Password, a.PasswordHash, StringComparison.Ordinal);
        Assert.NotEqual(a.PasswordHash, b.PasswordHash); // same password, different salt
        var bytes = Convert.FromBase64String(a.PasswordHash);
        Assert.Equal(0x01, bytes[0]); // Identity V3 format: PBKDF2 with an iteration count in the hash
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<User>().VerifyHashedPassword(a, a.PasswordHash, AuthApp.Password));
    }

    [Fact]
    public async Task Signup_KeepsThePasswordExactlyAsTyped_SpacesIncluded()
    {
        var email = AuthApi.NewEmail();
        const string spaced = "  spaced out password  ";
        Assert.Equal(HttpStatusCode.Created, (await _client.SignUpAsync(email, spaced)).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await _client.SignInAsync(email, spaced.Trim())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.SignInAsync(email, spaced)).StatusCode);
    }
}
