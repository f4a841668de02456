using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Client.Api;
using Ticketing.Client.Components.Layout;

namespace Ticketing.Client.Tests.Components;

/// <summary>The header's two states: a visitor sees Sign Up and Sign In; a signed-in person their email, Sell Tickets, My Orders, Sign Out.</summary>
public sealed class HeaderTests : IDisposable
{
    private readonly BunitContext _context = new();

    public HeaderTests() => _context.Services.AddSingleton<AntiforgeryStateProvider>(new FixedAntiforgery());

    [Fact]
    public void Header_WhenSignedOut_OffersSignUpAndSignIn_Only()
    {
        var header = _context.Render<Header>();

        var links = header.FindAll("nav a").ToDictionary(a => a.TextContent.Trim(), a => a.GetAttribute("href"));
        Assert.Equal("/", links["Ticketing"]);
        Assert.Equal("/auth/signup", links["Sign Up"]);
        Assert.Equal("/auth/signin", links["Sign In"]);
        Assert.False(links.ContainsKey("Sell Tickets"));
        Assert.False(links.ContainsKey("My Orders"));
        Assert.Empty(header.FindAll("form"));
    }

    [Fact]
    public void Header_WhenSignedIn_ShowsTheEmailAndSellOrdersAndASignOutFormWithTheAntiforgeryToken()
    {
        var header = _context.Render<Header>(p => p.Add(h => h.User, new SignedInUser("u1", "ada@example.com")));

        var links = header.FindAll("nav a").ToDictionary(a => a.TextContent.Trim(), a => a.GetAttribute("href"));
        Assert.Equal("/tickets/new", links["Sell Tickets"]);
        Assert.Equal("/orders", links["My Orders"]);
        Assert.False(links.ContainsKey("Sign In"));
        Assert.False(links.ContainsKey("Sign Up"));
        Assert.Equal("ada@example.com", header.Find(".user-email").TextContent);

        var form = header.Find("form");
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("/auth/signout", form.GetAttribute("action"));
        Assert.Equal("the-token", form.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value"));
        Assert.Equal(Header.SignOutFormName, form.QuerySelector("input[name=_handler]")?.GetAttribute("value"));
        Assert.Equal("Sign Out", form.QuerySelector("button")?.TextContent);
    }

    public void Dispose() => _context.Dispose();

    private sealed class FixedAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => new("the-token", "__RequestVerificationToken");
    }
}
