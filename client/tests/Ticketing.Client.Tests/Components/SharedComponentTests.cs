using Bunit;
using Ticketing.Client.Api;
using Ticketing.Client.Components.Shared;
using Ticketing.Common.Http;

namespace Ticketing.Client.Tests.Components;

/// <summary>The small components with logic, rendered with bUnit: money, status badges, the countdown, error placement.</summary>
public sealed class SharedComponentTests : IDisposable
{
    private readonly BunitContext _context = new();

    [Theory]
    [InlineData("20", "$20.00")]
    [InlineData("0.5", "$0.50")]
    [InlineData("1234.5", "$1,234.50")]
    [InlineData("1000000", "$1,000,000.00")]
    [InlineData("19.99", "$19.99")]
    public void Money_WhenRendered_ShowsDollarsWithTwoDecimalsAndThousandsSeparators(string amount, string expected)
    {
        var money = _context.Render<Money>(p => p.Add(m => m.Amount, decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(expected, money.Find("span.money").TextContent);
    }

    [Theory]
    [InlineData("available", false, "Available", "badge-success")]
    [InlineData("reserved", false, "Reserved", "badge-warning")]
    [InlineData("sold", false, "Sold", "badge-neutral")]
    [InlineData("created", false, "Awaiting payment", "badge-warning")]
    [InlineData("awaiting:payment", false, "Awaiting payment", "badge-warning")]
    [InlineData("complete", false, "Complete", "badge-success")]
    [InlineData("cancelled", false, "Cancelled", "badge-danger")]
    [InlineData("cancelled", true, "Expired", "badge-danger")]
    [InlineData("refunded", false, "Refunded", "badge-neutral")]
    public void StatusBadge_WhenRendered_SaysTheStatusInWordsWithItsColour(string status, bool expired, string label, string css)
    {
        var badge = _context.Render<StatusBadge>(p => p.Add(b => b.Status, status).Add(b => b.Expired, expired));

        var span = badge.Find("span.badge");
        Assert.Equal(label, span.TextContent);
        Assert.Contains(css, span.ClassList);
    }

    [Fact]
    public void Countdown_WhenRendered_ShowsTheSecondsLeftAndGivesTheScriptBothClocks()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

        var countdown = _context.Render<Countdown>(p => p.Add(c => c.ExpiresAt, now.AddSeconds(90.7)).Add(c => c.Now, now));

        var element = countdown.Find("ticketing-countdown");
        Assert.Equal("2026-03-01T12:01:30.700Z", element.GetAttribute("expires-at"));
        Assert.Equal("2026-03-01T12:00:00.000Z", element.GetAttribute("server-now"));
        Assert.Equal("timer", element.GetAttribute("role"));
        Assert.Equal("Time left to pay: 90 seconds", Normalise(element.TextContent));
    }

    [Theory]
    [InlineData(1.2, "Time left to pay: 1 second")]
    [InlineData(0, "Time left to pay: 0 seconds")]
    [InlineData(-30, "Time left to pay: 0 seconds")]
    public void Countdown_NearOrPastTheEnd_NeverGoesNegative(double secondsLeft, string text)
    {
        var now = DateTimeOffset.UnixEpoch.AddYears(56);

        var countdown = _context.Render<Countdown>(p => p.Add(c => c.ExpiresAt, now.AddSeconds(secondsLeft)).Add(c => c.Now, now));

        Assert.Equal(text, Normalise(countdown.Find("ticketing-countdown").TextContent));
    }

    [Fact]
    public void FieldError_WhenTheFieldHasErrors_ListsThemUnderTheIdTheInputPointsTo()
    {
        IReadOnlyList<ApiError> errors = [new("Email must be valid", "email"), new("Password too short", "password"), new("Email in use")];

        var error = _context.Render<FieldError>(p => p.Add(f => f.Field, "email").Add(f => f.Errors, errors));

        var box = error.Find(".field-error");
        Assert.Equal("email-error", box.Id);
        Assert.Equal(["Email must be valid"], box.QuerySelectorAll("p").Select(p => p.TextContent.Trim()));
        Assert.Equal("email-error", FormErrors.DescribedBy(errors, "email"));
        Assert.Equal("true", FormErrors.Invalid(errors, "email"));
    }

    [Fact]
    public void FieldError_WhenTheFieldHasNoError_RendersNothingAndTheInputIsNotInvalid()
    {
        IReadOnlyList<ApiError> errors = [new("Password too short", "password")];

        var error = _context.Render<FieldError>(p => p.Add(f => f.Field, "email").Add(f => f.Errors, errors));

        Assert.Empty(error.Markup.Trim());
        Assert.Null(FormErrors.DescribedBy(errors, "email"));
        Assert.Equal("price-hint", FormErrors.DescribedBy(errors, "price", "price-hint"));
        Assert.Equal("password-hint password-error", FormErrors.DescribedBy(errors, "password", "password-hint"));
        Assert.Null(FormErrors.Invalid(errors, "email"));
    }

    [Fact]
    public void ErrorSummary_ShowsOnlyTheErrorsNoFieldOfTheFormShows_AsAnAlert()
    {
        IReadOnlyList<ApiError> errors = [new("Email must be valid", "email"), new("Invalid credentials"), new("Something about a hidden field", "other")];

        var summary = _context.Render<ErrorSummary>(p => p.Add(s => s.Errors, errors).Add(s => s.Fields, ["email", "password"]));

        var alert = summary.Find("[role=alert]");
        Assert.Equal(["Invalid credentials", "Something about a hidden field"], alert.QuerySelectorAll("li").Select(li => li.TextContent));
        Assert.DoesNotContain("Email must be valid", alert.TextContent);
    }

    [Fact]
    public void ErrorSummary_WithoutErrors_RendersNothing()
    {
        var summary = _context.Render<ErrorSummary>(p => p.Add(s => s.Errors, [new ApiError("Title is required", "title")]).Add(s => s.Fields, ["title"]));

        Assert.Empty(summary.Markup.Trim());
    }

    [Theory]
    [InlineData(429, TicketingApiException.TooManyRequestsMessage)]
    [InlineData(503, TicketingApiException.UnavailableMessage)]
    [InlineData(502, TicketingApiException.UnavailableMessage)]
    [InlineData(500, TicketingApiException.UnexpectedMessage)]
    public void ApiFailure_WhenBusyOrDown_IsAFriendlyMessageInsteadOfTheApisDetails(int status, string message)
    {
        var failure = new TicketingApiException(status, [new ApiError("NATS connection refused at 10.0.0.3:4222")]);

        var summary = _context.Render<ErrorSummary>(p => p.Add(s => s.Errors, failure.Errors));

        Assert.Equal(message, summary.Find("[role=alert] p").TextContent);
        Assert.DoesNotContain("NATS", summary.Markup);
    }

    private static string Normalise(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));

    public void Dispose() => _context.Dispose();
}
