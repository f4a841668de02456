using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Ticketing.Client.Api;
using Ticketing.Client.Components.Pages.Tickets;
using Ticketing.Client.Components.Shared;
using Ticketing.Client.Extensions;
using Ticketing.Common.Http;

namespace Ticketing.Client.Tests;

/// <summary>Return URLs, prices as typed, the error contract as read, and what is forwarded to the APIs.</summary>
public sealed class HelperTests
{
    [Theory]
    [InlineData("/orders", true)]
    [InlineData("/tickets/abc?x=1", true)]
    [InlineData("/", true)]
    [InlineData("//evil.example.com/x", false)]
    [InlineData("/\\evil.example.com", false)]
    [InlineData("https://evil.example.com/", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("orders", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void LocalUrl_AcceptsOnlyPathsOfThisSite(string? url, bool local)
    {
        Assert.Equal(local, LocalUrl.IsLocal(url));
        Assert.Equal(local ? url : "/", LocalUrl.OrHome(url));
    }

    [Fact]
    public void LocalUrl_SignIn_ComesBackToTheEscapedPath()
    {
        Assert.Equal("/auth/signin?returnUrl=%2Forders%2Fabc%3Fx%3D1", LocalUrl.SignIn("/orders/abc?x=1"));
        Assert.Equal("/auth/signin", LocalUrl.SignIn("https://evil.example.com"));
    }

    [Theory]
    [InlineData("20", "20")]
    [InlineData(" $1,200.50 ", "1200.50")]
    [InlineData("0.5", "0.5")]
    [InlineData("-3", "-3")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void TicketForm_ParsePrice_ReadsMoneyAsTyped(string? typed, string? expected)
    {
        var (price, error) = new TicketForm { Price = typed }.ParsePrice();

        Assert.Null(error);
        Assert.Equal(expected is null ? null : decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), price);
    }

    [Fact]
    public void TicketForm_ParsePrice_WhenNotANumber_IsAnErrorOnThePriceField()
    {
        var (price, error) = new TicketForm { Price = "twenty" }.ParsePrice();

        Assert.Null(price);
        Assert.Equal("price", error?.Field);
    }

    [Fact]
    public async Task ApiClient_ReadsTheErrorContractsListWithFields()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent(
                """{"type":"x","title":"Bad Request","status":400,"errors":[{"message":"Title is required","field":"title"},{"message":"Price must be greater than 0","field":"price"}]}""",
                Encoding.UTF8, "application/problem+json"),
        };

        var failure = await ApiClient.ErrorOfAsync(response, CancellationToken.None);

        Assert.Equal(400, failure.Status);
        Assert.Equal([new ApiError("Title is required", "title"), new ApiError("Price must be greater than 0", "price")], failure.Errors);
    }

    [Fact]
    public async Task ApiClient_WhenTheBodyIsNotTheContract_KeepsTheStatusWithAReadableMessage()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("<html>nginx</html>") };

        var failure = await ApiClient.ErrorOfAsync(response, CancellationToken.None);

        Assert.Equal(404, failure.Status);
        Assert.Equal("Not Found", failure.FriendlyMessage);
    }

    [Fact]
    public async Task ForwardingHandler_SendsOnlyTheSessionCookie_TheBrowsersAddress_AndTheIngressHost()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = "session=eyJhbGciOi.abc.def; .ticketing.antiforgery=secret; other=1";
        context.Connection.RemoteIpAddress = IPAddress.Parse("::ffff:203.0.113.7");
        var capture = new CaptureHandler();
        using var handler = new ApiForwardingHandler(new HttpContextAccessor { HttpContext = context }, new ApiSettings(new Uri("http://ingress"), "ticketing-dev", TimeSpan.FromSeconds(1)))
        {
            InnerHandler = capture,
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri("http://ingress") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tickets");
        request.Headers.TryAddWithoutValidation("Cookie", "injected=1");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "1.2.3.4");

        using var _ = await client.SendAsync(request);

        var sent = capture.Last!;
        Assert.Equal(["session=eyJhbGciOi.abc.def"], sent.Headers.GetValues("Cookie"));
        Assert.Equal(["203.0.113.7"], sent.Headers.GetValues("X-Forwarded-For"));
        Assert.Equal("ticketing-dev", sent.Headers.Host);
    }

    [Fact]
    public async Task ForwardingHandler_ForAVisitorWithoutASession_SendsNoCookie()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = "tracking=1";
        var capture = new CaptureHandler();
        using var handler = new ApiForwardingHandler(new HttpContextAccessor { HttpContext = context }, new ApiSettings(new Uri("http://ingress"), null, TimeSpan.FromSeconds(1)))
        {
            InnerHandler = capture,
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri("http://ingress") };

        using var _ = await client.GetAsync("/api/tickets");

        Assert.False(capture.Last!.Headers.Contains("Cookie"));
        Assert.Null(capture.Last.Headers.Host);
    }

    [Theory]
    [InlineData("abc.def-ghi_jk", true)]
    [InlineData("abc; other=1", false)]
    [InlineData("abc\r\nX-Evil: 1", false)]
    public void ForwardingHandler_RefusesCookieValuesThatCouldSmuggleHeaders(string value, bool safe) =>
        Assert.Equal(safe, ApiForwardingHandler.IsCookieValueSafe(value));

    [Fact]
    public void ContentSecurityPolicy_AllowsStripeOnlyWhenItsKeyIsSet()
    {
        var offline = ClientPipeline.ContentSecurityPolicy(new ClientSettings(new Uri("http://x"), null, TimeSpan.FromSeconds(1), null, true, null));
        var stripe = ClientPipeline.ContentSecurityPolicy(new ClientSettings(new Uri("http://x"), null, TimeSpan.FromSeconds(1), "pk_test_1", false, null));

        Assert.DoesNotContain("stripe", offline, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", offline, StringComparison.Ordinal);
        Assert.Contains("script-src 'self' https://js.stripe.com", stripe, StringComparison.Ordinal);
    }

    private sealed class CaptureHandler : HttpMessageHandler
    {
        public HttpRequestMessage? Last { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Last = request;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("[]") });
        }
    }
}
