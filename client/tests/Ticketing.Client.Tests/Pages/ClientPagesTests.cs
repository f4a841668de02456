using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Ticketing.Client.Api;
using Ticketing.Client.Extensions;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Client.Tests.Pages;

/// <summary>
/// The client in memory against a fake ingress: what a person sees when an API answers this or that, what the client
/// forwards, redirects to sign in, antiforgery, and the not-found page. (The real APIs: BrowserStoryTests.)
/// </summary>
public sealed partial class ClientPagesTests : IAsyncLifetime
{
    private FakeApi _api = null!;
    // The client assembly's entry point, named by one of its public types (the AppHost this project references has a Program too).
    private ServiceFactory<ClientSettings> _client = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApi.StartAsync();
        _client = new ServiceFactory<ClientSettings>();
        _client.Settings["TICKETING_API_URL"] = _api.Address.ToString();
        _client.Settings["API_TIMEOUT_SECONDS"] = "5";
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Home_ListsTicketsWithPricesAsMoney_AndLinksTheNextPage()
    {
        var tickets = Enumerable.Range(1, 21).Select(i => new { id = $"t{i}", title = $"Show {i}", price = 1234.5m + i, userId = "u", version = 0, status = "available" });
        _api.On("GET", "/api/tickets", 200, System.Text.Json.JsonSerializer.Serialize(tickets));
        using var browser = Browser();

        var html = await browser.GetStringAsync("/");

        Assert.Contains("Show 1<", html);
        Assert.Contains("$1,235.50", html);
        Assert.DoesNotContain("Show 21<", html);   // one more than a page only says there is a next page
        Assert.Contains("href=\"/?page=2\"", html);
        Assert.Contains(_api.Requests, r => r.PathAndQuery == "/api/tickets?limit=21&offset=0");

        await browser.GetStringAsync("/?page=3");
        Assert.Contains(_api.Requests, r => r.PathAndQuery == "/api/tickets?limit=21&offset=40");
    }

    [Theory]
    [InlineData(503, TicketingApiException.UnavailableMessage)]
    [InlineData(429, TicketingApiException.TooManyRequestsMessage)]
    [InlineData(500, TicketingApiException.UnexpectedMessage)]
    public async Task Home_WhenTheTicketsApiFails_ShowsAFriendlyMessage_NotAnErrorPage(int status, string message)
    {
        _api.On("GET", "/api/tickets", status, FakeApi.Problem(status, ("connection refused: mongodb://tickets-mongo:27017", null)));
        using var browser = Browser();

        using var response = await browser.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Html(message), html);
        Assert.DoesNotContain("mongodb", html);
    }

    [Fact]
    public async Task Home_WhenTheIngressIsUnreachable_ShowsTheUnavailableMessage()
    {
        await _api.DisposeAsync();
        using var browser = Browser();

        var html = await browser.GetStringAsync("/");

        Assert.Contains(Html(TicketingApiException.UnavailableMessage), html);
        _api = await FakeApi.StartAsync();
    }

    [Theory]
    [InlineData("/orders", "/auth/signin?returnUrl=%2Forders")]
    [InlineData("/tickets/new", "/auth/signin?returnUrl=%2Ftickets%2Fnew")]
    [InlineData("/orders/abc", "/auth/signin?returnUrl=%2Forders%2Fabc")]
    public async Task UserPages_WhenAnonymous_RedirectToSignInAndBack(string page, string signIn)
    {
        using var browser = Browser();

        using var response = await browser.GetAsync(page);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(signIn, LocalLocation(response));
        Assert.DoesNotContain(_api.Requests, r => r.PathAndQuery.StartsWith("/api/orders", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_PassesOnOnlyTheSessionCookie_AndGoesBackToTheLocalReturnUrl()
    {
        _api.On("POST", "/api/users/signin", 200, """{"id":"u1","email":"ada@example.com"}""",
            ("Set-Cookie", "session=eyJ.abc.def; expires=Wed, 09 Dec 2026 00:00:00 GMT; path=/; samesite=lax; httponly"),
            ("Set-Cookie", "tracker=1; path=/"));
        using var browser = Browser();
        browser.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9");   // as the ingress says who the browser is

        using var response = await SubmitAsync(browser, "/auth/signin?returnUrl=%2Forders%2Fo1", "signin",
            ("Form.Email", " ada@example.com "), ("Form.Password", "correct horse"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/orders/o1", LocalLocation(response));
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(cookies, c => c.StartsWith("session=eyJ.abc.def;", StringComparison.Ordinal) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(cookies, c => c.StartsWith("tracker=", StringComparison.Ordinal));

        var call = Assert.Single(_api.Requests, r => r.PathAndQuery == "/api/users/signin");
        Assert.Equal("""{"email":"ada@example.com","password":"correct horse"}""", call.Body);
        Assert.False(call.Headers.ContainsKey("Cookie"), "a visitor without a session sends the API no cookie (not the antiforgery one)");
        Assert.Equal("203.0.113.9", call.Headers["X-Forwarded-For"]);   // the API's rate limit counts the person, not the client
    }

    [Theory]
    [InlineData("https%3A%2F%2Fevil.example.com%2F")]
    [InlineData("%2F%2Fevil.example.com")]
    public async Task SignIn_WithAReturnUrlElsewhere_GoesHomeInstead(string returnUrl)
    {
        _api.On("POST", "/api/users/signin", 200, """{"id":"u1","email":"ada@example.com"}""", ("Set-Cookie", "session=x; path=/"));
        using var browser = Browser();

        using var response = await SubmitAsync(browser, $"/auth/signin?returnUrl={returnUrl}", "signin", ("Form.Email", "a@example.com"), ("Form.Password", "p"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", LocalLocation(response));
    }

    [Fact]
    public async Task SignIn_WhenRejected_ShowsInvalidCredentialsOnTheForm_AndDoesNotEchoThePassword()
    {
        _api.On("POST", "/api/users/signin", 400, FakeApi.Problem(400, ("Invalid credentials", null)));
        using var browser = Browser();

        using var response = await SubmitAsync(browser, "/auth/signin", "signin", ("Form.Email", "a@example.com"), ("Form.Password", "wrong password 1"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(AlertWith("Invalid credentials"), html);
        Assert.Contains("value=\"a@example.com\"", html);
        Assert.DoesNotContain("wrong password 1", html);
    }

    [Fact]
    public async Task SignUp_ShowsEachErrorNextToItsField_TiedToTheInput()
    {
        _api.On("POST", "/api/users/signup", 400, FakeApi.Problem(400, ("Email must be valid", "email"), ("Password must be between 8 and 128 characters", "password")));
        using var browser = Browser();

        using var response = await SubmitAsync(browser, "/auth/signup", "signup", ("Form.Email", "nope"), ("Form.Password", "short"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Matches("(?s)<div class=\"field-error\" id=\"email-error\">.*Email must be valid", html);
        Assert.Matches("(?s)<div class=\"field-error\" id=\"password-error\">.*Password must be between 8 and 128 characters", html);
        Assert.Matches("<input id=\"email\" name=\"Form.Email\" type=\"email\" value=\"nope\"[^>]* aria-describedby=\"email-error\" aria-invalid=\"true\"", html);
        Assert.Matches("<input id=\"password\"[^>]* aria-describedby=\"password-hint password-error\" aria-invalid=\"true\"", html);
        Assert.DoesNotContain("role=\"alert\"", html);   // nothing left for the summary: both errors sit at their fields
    }

    [Fact]
    public async Task SignIn_WhenRateLimited_SaysSoKindly()
    {
        _api.On("POST", "/api/users/signin", 429, FakeApi.Problem(429, ("Too many requests; try again later", null)), ("Retry-After", "30"));
        using var browser = Browser();

        using var response = await SubmitAsync(browser, "/auth/signin", "signin", ("Form.Email", "a@example.com"), ("Form.Password", "whatever1"));

        Assert.Matches(AlertWith(Html(TicketingApiException.TooManyRequestsMessage)), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FormPost_WithoutTheAntiforgeryToken_IsRefused_AndNothingIsCalled()
    {
        using var browser = Browser();
        using var form = new FormUrlEncodedContent([new("_handler", "signin"), new("Form.Email", "a@example.com"), new("Form.Password", "x")]);

        using var response = await browser.PostAsync("/auth/signin", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(_api.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task SignedInPages_ForwardTheSessionCookie_AndShowTheEmailInTheHeader()
    {
        _api.On("GET", "/api/users/currentuser", 200, """{"currentUser":{"id":"u1","email":"ada@example.com","iat":1,"exp":2}}""");
        _api.On("GET", "/api/orders", 200, """[{"id":"o1","userId":"u1","status":"complete","expiresAt":"2026-01-01T00:00:00Z","version":1,"ticket":{"id":"t1","title":"Opera night","price":45,"version":2}}]""");
        using var browser = Browser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders");
        request.Headers.Add("Cookie", "session=eyJ.abc.def; other=1");

        using var response = await browser.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ada@example.com", html);
        Assert.Contains("My Orders", html);
        Assert.Matches("Opera night</a>.*Complete", html.ReplaceLineEndings(" "));
        Assert.All(_api.Requests, r => Assert.Equal("session=eyJ.abc.def", r.Headers["Cookie"]));
        Assert.Single(_api.Requests, r => r.PathAndQuery == "/api/users/currentuser");   // asked once per page, shared by header and page
    }

    [Fact]
    public async Task OrderPage_WhileUnpaid_ShowsTheCountdown_AndTheSimulatedTestCardForm()
    {
        using var browser = await SignedInBrowserAsync();
        AnOrder("created", DateTimeOffset.UtcNow.AddSeconds(300));

        var html = await browser.GetStringAsync("/orders/o1");

        Assert.Matches("(?s)<ticketing-countdown [^>]*expires-at=\"[^\"]+Z\" server-now=\"[^\"]+Z\"[^>]*>.*Time left to pay:.*<strong class=\"countdown-value\">(29[0-9]|300)</strong>", html);
        Assert.Contains("Payments are simulated.", html);
        Assert.Matches("<input id=\"token\" name=\"Payment.Token\" type=\"text\" value=\"tok_visa\"", html);
        Assert.Contains("Awaiting payment", html);
    }

    [Fact]
    public async Task OrderPage_WhenTheServerSaysCancelledAfterItsTime_ShowsOrderExpired_AndNoPaymentForm()
    {
        using var browser = await SignedInBrowserAsync();
        AnOrder("cancelled", DateTimeOffset.UtcNow.AddSeconds(-5));

        var html = await browser.GetStringAsync("/orders/o1");

        Assert.Contains("Order Expired", html);
        Assert.Contains(">Expired</span>", html);
        Assert.DoesNotContain("Payment.Token", html);
        Assert.DoesNotContain("<ticketing-countdown", html);
    }

    [Fact]
    public async Task Pay_WhenTheCardIsAccepted_PostsTheTokenForTheOrder_AndGoesToMyOrders()
    {
        using var browser = await SignedInBrowserAsync();
        AnOrder("created", DateTimeOffset.UtcNow.AddSeconds(300));
        _api.On("POST", "/api/payments", 201, """{"id":"p1","orderId":"o1","stripeId":"pi_1"}""");

        using var response = await SubmitAsync(browser, "/orders/o1", "pay", ("Payment.Token", "tok_visa"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/orders", LocalLocation(response));
        var call = Assert.Single(_api.Requests, r => r.Method == "POST" && r.PathAndQuery == "/api/payments");
        Assert.Equal("""{"orderId":"o1","token":"tok_visa"}""", call.Body);
        Assert.Equal("session=s1", call.Headers["Cookie"]);
    }

    [Fact]
    public async Task Pay_WhenTheCardIsDeclined_ShowsStripesReasonNextToTheCardField()
    {
        using var browser = await SignedInBrowserAsync();
        AnOrder("created", DateTimeOffset.UtcNow.AddSeconds(300));
        _api.On("POST", "/api/payments", 402, FakeApi.Problem(402, ("Your card was declined.", null)));

        using var response = await SubmitAsync(browser, "/orders/o1", "pay", ("Payment.Token", "tok_chargeDeclined"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("(?s)<div class=\"field-error\" id=\"token-error\">.*Your card was declined.", html);
        Assert.Matches("<input id=\"token\"[^>]* value=\"tok_chargeDeclined\"[^>]* aria-describedby=\"token-hint token-error\" aria-invalid=\"true\"", html);
    }

    [Fact]
    public async Task Sell_WithABadPrice_SaysSoAtThePriceWithoutCallingTheApi_AndKeepsWhatWasTyped()
    {
        using var browser = await SignedInBrowserAsync();

        using var response = await SubmitAsync(browser, "/tickets/new", "sell", ("Form.Title", "Opera"), ("Form.Price", "twenty"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Matches("(?s)id=\"price-error\">.*Price must be a number", html);
        Assert.Contains("value=\"Opera\"", html);
        Assert.DoesNotContain(_api.Requests, r => r.PathAndQuery == "/api/tickets" && r.Method == "POST");
    }

    [Fact]
    public async Task Sell_SendsThePriceAsMoney_AndGoesToTheNewTicket()
    {
        using var browser = await SignedInBrowserAsync();
        _api.On("POST", "/api/tickets", 201, """{"id":"t9","title":"Opera","price":1200.5,"userId":"u1","version":0,"status":"available"}""");

        using var response = await SubmitAsync(browser, "/tickets/new", "sell", ("Form.Title", "Opera"), ("Form.Price", "$1,200.50"));

        Assert.Equal("/tickets/t9", LocalLocation(response));
        Assert.Equal("""{"title":"Opera","price":1200.50}""", Assert.Single(_api.Requests, r => r.Method == "POST" && r.PathAndQuery == "/api/tickets").Body);
    }

    [Fact]
    public async Task EditTicket_ForTheSeller_IsPrefilled_AndShowsTheApisRefusal()
    {
        using var browser = await SignedInBrowserAsync();
        _api.On("GET", "/api/tickets/t1", 200, """{"id":"t1","title":"Opera night","price":45,"userId":"u1","version":3,"status":"available"}""");
        _api.On("PUT", "/api/tickets/t1", 400, FakeApi.Problem(400, ("Cannot edit a reserved ticket", null)));

        var form = await browser.GetStringAsync("/tickets/t1/edit");
        using var response = await SubmitAsync(browser, "/tickets/t1/edit", "edit", ("Form.Title", "Opera night, late show"), ("Form.Price", "50"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("value=\"Opera night\"", form);
        Assert.Contains("value=\"45.00\"", form);
        Assert.Matches(AlertWith("Cannot edit a reserved ticket"), html);
        Assert.Contains("value=\"Opera night, late show\"", html);
        Assert.Equal("""{"title":"Opera night, late show","price":50}""", Assert.Single(_api.Requests, r => r.Method == "PUT").Body);
    }

    [Fact]
    public async Task EditTicket_ForSomeoneElse_SaysOnlyTheSellerCan_AndOffersNoForm()
    {
        using var browser = await SignedInBrowserAsync();
        _api.On("GET", "/api/tickets/t2", 200, """{"id":"t2","title":"Ballet","price":30,"userId":"someone-else","version":0,"status":"available"}""");

        var html = await browser.GetStringAsync("/tickets/t2/edit");

        Assert.Contains("Only the seller can edit this ticket.", html);
        Assert.DoesNotContain("Form.Title", html);
    }

    [Fact]
    public async Task UnknownPaths_AndUnknownTickets_ShowTheNotFoundPage()
    {
        using var browser = Browser();

        using var page = await browser.GetAsync("/no/such/page");
        using var ticket = await browser.GetAsync("/tickets/000000000000000000000000");

        foreach (var response in new[] { page, ticket })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("We couldn't find that page", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task ApiPaths_NoApiClaims_AreAnsweredInTheErrorContract_NotWithAPage()
    {
        using var browser = Browser();

        using var response = await browser.GetAsync("/api/payments");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"errors\":[{\"message\":\"Not Found\"}]", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_IsLiveAndReady_WithoutTheApis()
    {
        await _api.DisposeAsync();
        using var browser = Browser();

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/health/live")).StatusCode);
        using var ready = await browser.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"status\":\"Healthy\"", await ready.Content.ReadAsStringAsync());
        _api = await FakeApi.StartAsync();
    }

    /// <summary>A browser signed in as u1 (the fake auth API's session cookie <c>s1</c>).</summary>
    private async Task<HttpClient> SignedInBrowserAsync()
    {
        _api.On("POST", "/api/users/signin", 200, """{"id":"u1","email":"ada@example.com"}""", ("Set-Cookie", "session=s1; path=/; httponly"));
        _api.On("GET", "/api/users/currentuser", 200, """{"currentUser":{"id":"u1","email":"ada@example.com","iat":1,"exp":2}}""");
        var browser = Browser();
        using var signedIn = await SubmitAsync(browser, "/auth/signin", "signin", ("Form.Email", "ada@example.com"), ("Form.Password", "correct horse"));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return browser;
    }

    private void AnOrder(string status, DateTimeOffset expiresAt) =>
        _api.On("GET", "/api/orders/o1", 200,
            $$$"""{"id":"o1","userId":"u1","status":"{{{status}}}","expiresAt":"{{{expiresAt.UtcDateTime:O}}}","version":0,"ticket":{"id":"t1","title":"Opera night","price":45,"version":1}}""");

    /// <summary>A redirect's target on this site (the client answers absolute URLs on the host the browser asked for).</summary>
    private static string LocalLocation(HttpResponseMessage response)
    {
        var location = response.Headers.Location ?? throw new Xunit.Sdk.XunitException("no Location header");
        if (!location.IsAbsoluteUri)
        {
            return location.OriginalString;
        }

        Assert.Equal("localhost", location.Host);
        return location.PathAndQuery;
    }

    private static string Html(string text) => System.Text.Encodings.Web.HtmlEncoder.Default.Encode(text);

    private HttpClient Browser() => _client.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Loads a page (for its antiforgery cookie and token) and posts the named form on it, as a browser would.</summary>
    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient browser, string page, string formName, params (string Name, string Value)[] fields)
    {
        var html = await browser.GetStringAsync(page);
        var token = AntiforgeryField().Match(html);
        Assert.True(token.Success, $"{page} has no antiforgery token");
        var values = new List<KeyValuePair<string, string>> { new("_handler", formName), new("__RequestVerificationToken", WebUtility.HtmlDecode(token.Groups[1].Value)) };
        values.AddRange(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        using var form = new FormUrlEncodedContent(values);
        return await browser.PostAsync(page, form);
    }

    private static string AlertWith(string text) => $"role=\"alert\"[^>]*>\\s*<p>{Regex.Escape(text)}</p>";

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
