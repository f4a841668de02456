using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ticketing.Common.Events;
using Ticketing.Common.Testing.Web;
using Ticketing.Tickets.Tests.Infrastructure;

namespace Ticketing.Tickets.Tests.Endpoints;

/// <summary><c>POST /api/tickets</c>: 401; 400 title; 400 price; 201 with the ticket.</summary>
public sealed class CreateTicketTests(TicketsAppFixture fixture) : IClassFixture<TicketsAppFixture>
{
    private TicketsApp App => fixture.App;

    [Fact]
    public async Task Create_Anonymous_Returns401()
    {
        var response = await App.CreateAnonymousClient().PostAsJsonAsync("/api/tickets", new { title = "Concert", price = 10 });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ("Not authorized", null));
    }

    [Fact]
    public async Task Create_AnonymousWithAnInvalidBody_Returns401_BeforeValidation()
    {
        var response = await App.CreateAnonymousClient().PostAsJsonAsync("/api/tickets", new { title = "", price = -1 });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ("Not authorized", null));
    }

    [Fact]
    public async Task Create_WithATokenSignedByAnotherKey_Returns401()
    {
        var client = App.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = Common.Testing.Web.TestUsers.Bearer(Common.Testing.Web.TestUsers.NewJwtKey(), "0123456789abcdef01234567", "x@test.dev");

        var response = await client.PostAsJsonAsync("/api/tickets", new { title = "Concert", price = 10 });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ("Not authorized", null));
    }

    [Theory]
    [InlineData("""{ "title": "", "price": 10 }""")]
    [InlineData("""{ "title": "   ", "price": 10 }""")]
    [InlineData("""{ "title": null, "price": 10 }""")]
    [InlineData("""{ "price": 10 }""")]
    public async Task Create_EmptyOrMissingTitle_Returns400TitleIsRequired(string body)
    {
        var response = await App.CreateSignedInClient(out _).PostAsync("/api/tickets", Api.RawJson(body));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Title is required", "title"));
    }

    [Theory]
    [InlineData("Concert\u0000")]            // NUL
    [InlineData("Con\ncert")]                // a line break
    [InlineData("Concert\t")]                // a tab, even where trimming would remove it
    [InlineData("Con\u0085cert")]            // C1 next-line
    [InlineData("Concert \u202Etxt.exe")]    // right-to-left override
    [InlineData("\u2067Concert\u2069")]      // right-to-left isolate
    [InlineData("Concert\u200F")]            // right-to-left mark
    public async Task Create_TitleWithControlOrBidiCharacters_Returns400OnTitle(string title)
    {
        var response = await App.CreateSignedInClient(out _).PostAsJsonAsync("/api/tickets", new { title, price = 10 });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Title must not contain control or text-direction characters", "title"));
    }

    [Fact]
    public async Task Create_TitleInAnyScript_WithEmoji_IsAccepted()
    {
        var created = await App.CreateSignedInClient(out _).CreateTicketAsync("Концерт – عرض 🎸 Zoë");

        Assert.Equal("Концерт – عرض 🎸 Zoë", created.Title);
    }

    [Theory]
    [InlineData("""{ "title": "Concert", "price": -10 }""")]
    [InlineData("""{ "title": "Concert", "price": 0 }""")]
    [InlineData("""{ "title": "Concert", "price": null }""")]
    [InlineData("""{ "title": "Concert" }""")]
    public async Task Create_NegativeZeroOrMissingPrice_Returns400PriceMustBeGreaterThan0(string body)
    {
        var response = await App.CreateSignedInClient(out _).PostAsync("/api/tickets", Api.RawJson(body));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Price must be greater than 0", "price"));
    }

    [Fact]
    public async Task Create_BadTitleAndBadPrice_ReportsBoth_TitleFirst()
    {
        var response = await App.CreateSignedInClient(out _).PostAsJsonAsync("/api/tickets", new { title = "", price = -1 });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest,
            ("Title is required", "title"), ("Price must be greater than 0", "price"));
    }

    [Theory]
    [InlineData("10.555")]
    [InlineData("0.001")]
    public async Task Create_PriceWithThreeDecimals_Returns400(string price)
    {
        var response = await App.CreateSignedInClient(out _).PostAsync("/api/tickets", Api.RawJson($$"""{ "title": "Concert", "price": {{price}} }"""));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Price must have at most 2 decimal places", "price"));
    }

    [Fact]
    public async Task Create_PriceWithTrailingZeros_IsTwoPlaces_AndAccepted()
    {
        var response = await App.CreateSignedInClient(out _).PostAsync("/api/tickets", Api.RawJson("""{ "title": "Concert", "price": 10.500 }"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(10.5m, (decimal)body["price"]!);
        Assert.Equal("10.50", body["price"]!.ToJsonString()); // stored with at most two places, not as sent
    }

    [Theory]
    [InlineData("1000000.01")]
    [InlineData("1000001")]
    [InlineData("99999999999")]
    public async Task Create_PriceAboveOneMillion_Returns400(string price)
    {
        var response = await App.CreateSignedInClient(out _).PostAsync("/api/tickets", Api.RawJson($$"""{ "title": "Concert", "price": {{price}} }"""));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Price must be at most 1000000", "price"));
    }

    [Fact]
    public async Task Create_PriceOfExactlyOneMillion_IsAccepted()
    {
        var ticket = await App.CreateSignedInClient(out _).CreateTicketAsync("Final", 1_000_000m);

        Assert.Equal(1_000_000m, ticket.Price);
    }

    [Fact]
    public async Task Create_PriceOfOneCent_IsAccepted()
    {
        var ticket = await App.CreateSignedInClient(out _).CreateTicketAsync("Cheap", 0.01m);

        Assert.Equal(0.01m, ticket.Price);
    }

    [Fact]
    public async Task Create_TitleOf2000Characters_Returns400()
    {
        var response = await App.CreateSignedInClient(out _).PostAsJsonAsync("/api/tickets", new { title = new string('x', 2000), price = 10 });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Title must be at most 200 characters", "title"));
    }

    [Fact]
    public async Task Create_TitleOf201Characters_Returns400()
    {
        var response = await App.CreateSignedInClient(out _).PostAsJsonAsync("/api/tickets", new { title = new string('x', 201), price = 10 });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Title must be at most 200 characters", "title"));
    }

    [Fact]
    public async Task Create_TitleOf200CharactersAndSurroundingSpaces_IsAccepted_AndStoredTrimmed()
    {
        var title = new string('y', 200);

        var ticket = await App.CreateSignedInClient(out _).CreateTicketAsync($"  {title}  ", 10m);

        Assert.Equal(title, ticket.Title);
        Assert.Equal(title, (await App.Store.GetAsync(ticket.Id))!.Title);
    }

    [Theory]
    [InlineData("""{ "title": "Concert", "price": "ten" }""", "price")]
    [InlineData("""{ "title": "Concert", "price": "10" }""", "price")]
    [InlineData("""{ "title": 42, "price": 10 }""", "title")]
    public async Task Create_WrongTypes_Returns400NamingTheField(string body, string field)
    {
        var response = await App.CreateSignedInClient(out _).PostAsync("/api/tickets", Api.RawJson(body));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ($"Invalid value for '{field}'", field));
    }

    [Theory]
    [InlineData("""{ "title": "Concert", """)]
    [InlineData("")]
    public async Task Create_MalformedOrEmptyBody_Returns400(string body)
    {
        var response = await App.CreateSignedInClient(out _).PostAsync("/api/tickets", Api.RawJson(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Create_WhenValid_Returns201WithTheTicketAndStoresExactlyOne()
    {
        var client = App.CreateSignedInClient(out var userId);
        var title = $"Concert {Guid.NewGuid():N}";

        var response = await client.PostAsJsonAsync("/api/tickets", new { title, price = 20.5m, unknownField = "ignored" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var id = (string)body["id"]!;
        Assert.Equal(["id", "title", "price", "userId", "version", "status"], body.Select(p => p.Key));
        Assert.Equal(title, (string)body["title"]!);
        Assert.Equal(20.5m, (decimal)body["price"]!);
        Assert.Equal(userId, (string)body["userId"]!);
        Assert.Equal(0, (long)body["version"]!);
        Assert.Equal("available", (string)body["status"]!);
        Assert.Equal($"/api/tickets/{id}", response.Headers.Location?.OriginalString);

        var stored = Assert.Single(await App.Collection.FindAsync(t => t.Title == title));
        Assert.Equal((id, 20.5m, userId, 0L, TicketStatus.Available), (stored.Id, stored.Price, stored.UserId, stored.Version, stored.Status));
        Assert.Equal(title, (await client.GetTicketAsync(id)).Title);
    }

    [Fact]
    public async Task Create_WithABearerToken_IsAccepted()
    {
        var client = App.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = Common.Testing.Web.TestUsers.Bearer(App.JwtKey, "0123456789abcdef01234567", "bearer@test.dev");

        var ticket = await client.CreateTicketAsync("By bearer", 5m);

        Assert.Equal("0123456789abcdef01234567", ticket.UserId);
    }
}
