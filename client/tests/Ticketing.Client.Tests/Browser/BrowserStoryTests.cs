using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ticketing.Common.Testing;
using Ticketing.E2E.Tests.Platform;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Ticketing.Client.Tests.Browser;

/// <summary>
/// The web client in a real browser (Debian's chromium through Playwright) against the real platform, started as the
/// e2e tests start it (dev/Ticketing.AppHost through the gateway): people sign up, sell, buy, pay and sign out using
/// only the pages. Steps that need a service this platform does not run yet (payments, expiration) are skipped with
/// the reason printed.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class BrowserStoryTests(PlatformFixture platform, Chromium chromium, ITestOutputHelper output) : IClassFixture<Chromium>, IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];

    /// <summary>What the browser's console reported as errors (a refused script or style, a failed request, ...).</summary>
    private readonly List<string> _consoleErrors = [];

    public Task InitializeAsync() => Task.CompletedTask;

    [SkippableFact]
    public async Task Story_SignUpSellListBuyAndWatchTheCountdown_ThenSignOut()
    {
        var seller = await PersonAsync();
        var sellerEmail = await People.SignUpAsync(seller, "seller");

        // The header changes: no more Sign Up / Sign In; Sell Tickets, My Orders, the email and Sign Out instead.
        var header = People.Header(seller);
        await Expect(header.GetByRole(AriaRole.Link, new() { Name = "Sell Tickets" })).ToBeVisibleAsync();
        await Expect(header.GetByRole(AriaRole.Link, new() { Name = "My Orders" })).ToBeVisibleAsync();
        await Expect(header.GetByRole(AriaRole.Button, new() { Name = "Sign Out" })).ToBeVisibleAsync();
        await Expect(header.GetByText(sellerEmail)).ToBeVisibleAsync();
        await Expect(header.GetByRole(AriaRole.Link, new() { Name = "Sign In" })).ToHaveCountAsync(0);
        await Expect(header.GetByRole(AriaRole.Link, new() { Name = "Sign Up" })).ToHaveCountAsync(0);

        // Sell a ticket: its page shows it as money, available, with Edit (the seller's) and no Purchase.
        var title = $"Jazz night {Guid.NewGuid():N}"[..24];
        var ticketId = await People.SellAsync(seller, title, "1250.5");
        await Expect(seller.Locator(".ticket-price")).ToContainTextAsync("$1,250.50");
        await Expect(seller.Locator(".ticket-head .badge")).ToHaveTextAsync("Available");
        await Expect(seller.GetByRole(AriaRole.Link, new() { Name = "Edit" })).ToBeVisibleAsync();
        await Expect(seller.GetByRole(AriaRole.Button, new() { Name = "Purchase" })).ToHaveCountAsync(0);

        // It is listed on / with its price.
        await seller.GotoAsync("/");
        var row = seller.Locator("tr", new() { Has = seller.GetByText(title) });
        await Expect(row).ToContainTextAsync("$1,250.50");

        // Another person opens it from the list and buys it.
        var buyer = await PersonAsync();
        await People.SignUpAsync(buyer, "buyer");
        await buyer.GotoAsync("/");
        await buyer.GetByRole(AriaRole.Link, new() { Name = $"View {title}" }).ClickAsync();
        await buyer.WaitForURLAsync(People.TicketPage());
        Assert.EndsWith(ticketId, buyer.Url, StringComparison.Ordinal);
        await buyer.GetByRole(AriaRole.Button, new() { Name = "Purchase" }).ClickAsync();
        await buyer.WaitForURLAsync(People.OrderPage());
        await Expect(buyer.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(title);
        await Expect(buyer.Locator(".order-head .badge")).ToHaveTextAsync("Awaiting payment");

        // The countdown ticks in the browser: "Time left to pay: N seconds", N going down.
        await Expect(buyer.Locator("ticketing-countdown")).ToContainTextAsync(new Regex(@"Time left to pay:\s*\d+\s*seconds"));
        var first = int.Parse(await People.Countdown(buyer).TextContentAsync() ?? "", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(first, 1, PlatformSettings.OrderWindowSeconds);
        await Expect(People.Countdown(buyer)).Not.ToHaveTextAsync(first.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 5_000 });
        var later = int.Parse(await People.Countdown(buyer).TextContentAsync() ?? "", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(later < first, $"the countdown went from {first} to {later}");

        // The ticket is reserved now: gone from the list, and its page says so.
        await seller.GotoAsync("/");
        await Expect(seller.GetByText(title)).ToHaveCountAsync(0);
        await seller.GotoAsync($"/tickets/{ticketId}");
        await Expect(seller.Locator(".ticket-head .badge")).ToHaveTextAsync("Reserved");

        // Sign out from the header: back on / as a visitor.
        await People.Header(buyer).GetByRole(AriaRole.Button, new() { Name = "Sign Out" }).ClickAsync();
        await buyer.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await Expect(People.Header(buyer).GetByRole(AriaRole.Link, new() { Name = "Sign In" })).ToBeVisibleAsync();
        await Expect(People.Header(buyer).GetByRole(AriaRole.Link, new() { Name = "My Orders" })).ToHaveCountAsync(0);
        await buyer.GotoAsync("/orders");
        await buyer.WaitForURLAsync("**/auth/signin?returnUrl=%2Forders");

        // No script or style was refused (Content-Security-Policy) and no script failed on any page of the story.
        Assert.Empty(_consoleErrors);
    }

    [SkippableFact]
    public async Task Pay_WithTheTestCard_CompletesTheOrderInMyOrders_AndTheTicketStaysOffTheList()
    {
        await SkipUnlessRunsAsync("payments");
        var (buyer, title, _) = await OrderATicketAsync();

        await Expect(buyer.GetByText("Payments are simulated.")).ToBeVisibleAsync();
        await Expect(buyer.GetByLabel("Test card")).ToHaveValueAsync("tok_visa");
        await buyer.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Pay ") }).ClickAsync();
        await buyer.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/orders");

        // The order completes when orders hears of the payment (an event): reload My Orders until it says so.
        var row = buyer.Locator("li.order-row", new() { Has = buyer.GetByText(title) });
        await Eventually.TrueAsync(async () =>
        {
            await buyer.ReloadAsync();
            return (await row.Locator(".badge").TextContentAsync()) == "Complete";
        }, "the paid order shows Complete in My Orders", TimeSpan.FromSeconds(20));
        await Expect(row).ToContainTextAsync($"{title} - Complete");

        await buyer.GotoAsync("/");
        await Expect(buyer.GetByText(title)).ToHaveCountAsync(0);
    }

    [SkippableFact]
    public async Task Pay_WithADeclinedCard_ShowsTheReasonNextToTheCardField()
    {
        await SkipUnlessRunsAsync("payments");
        var (buyer, _, _) = await OrderATicketAsync();

        await buyer.GetByLabel("Test card").FillAsync("tok_chargeDeclined");
        await buyer.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Pay ") }).ClickAsync();

        await Expect(buyer.Locator("#token-error")).ToContainTextAsync("Your card was declined.");
        await Expect(buyer.GetByLabel("Test card")).ToHaveAttributeAsync("aria-describedby", new Regex("token-error"));
        Assert.Matches(People.OrderPage(), buyer.Url);
    }

    [SkippableFact]
    public async Task Order_LeftUnpaid_ShowsOrderExpired_FromTheServersStatus()
    {
        await SkipUnlessRunsAsync("expiration");
        var (buyer, title, orderId) = await OrderATicketAsync();

        // The countdown reaches zero and reloads the page; the server then says the order expired.
        await Expect(buyer.GetByText("Order Expired")).ToBeVisibleAsync(new() { Timeout = (PlatformSettings.OrderWindowSeconds + 30) * 1000 });
        await Expect(buyer.Locator(".order-head .badge")).ToHaveTextAsync("Expired");
        await Expect(buyer.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Pay ") })).ToHaveCountAsync(0);
        output.WriteLine($"order {orderId} for {title} expired");
    }

    [SkippableFact]
    public async Task Order_WhenItsTimeRunsOut_ReloadsItself_AndShowsOrderExpiredOnceTheServerSaysSo()
    {
        // Stands in for the expiration service where it does not run: once the window has passed, the order is
        // cancelled through the orders API (as ExpirationCompleted would), and the open page must notice by itself.
        var (buyer, _, orderId) = await OrderATicketAsync();
        await Expect(buyer.Locator("ticketing-countdown")).ToBeVisibleAsync();
        var window = TimeSpan.FromSeconds(PlatformSettings.OrderWindowSeconds + 15);

        // At zero the element reloads the page; until the server cancels the order it says time is up, without a Pay button.
        await Expect(buyer.GetByText("Time is up: this order is expiring.")).ToBeVisibleAsync(new() { Timeout = (float)window.TotalMilliseconds });
        await Expect(buyer.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Pay ") })).ToHaveCountAsync(0);
        Assert.DoesNotContain("Order Expired", await buyer.ContentAsync(), StringComparison.Ordinal);

        using var api = platform.NewClient();
        var session = (await buyer.Context.CookiesAsync()).Single(c => c.Name == "session");
        using var cancel = new HttpRequestMessage(HttpMethod.Delete, $"/api/orders/{orderId}");
        cancel.Headers.Add("Cookie", $"session={session.Value}");
        using var cancelled = await api.SendAsync(cancel);
        Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);

        await Expect(buyer.GetByText("Order Expired")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(buyer.Locator(".order-head .badge")).ToHaveTextAsync("Expired");
    }

    [SkippableFact]
    public async Task MyOrders_WhenAnonymous_GoesToSignIn_AndComesBackAfterSigningIn()
    {
        var person = await PersonAsync();
        var email = await People.SignUpAsync(person, "returning");
        await People.Header(person).GetByRole(AriaRole.Button, new() { Name = "Sign Out" }).ClickAsync();
        await person.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");

        await person.GotoAsync("/orders");
        await person.WaitForURLAsync("**/auth/signin?returnUrl=%2Forders");
        await person.GetByLabel("Email").FillAsync(email);
        await person.GetByLabel("Password").FillAsync(People.Password);
        await person.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await person.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/orders");
        await Expect(person.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("My orders");
        await Expect(People.Header(person)).ToContainTextAsync(email);
    }

    [SkippableFact]
    public async Task SignIn_WithAWrongPassword_ShowsInvalidCredentialsOnTheForm()
    {
        var person = await PersonAsync();
        var email = await People.SignUpAsync(person, "forgetful");
        await People.Header(person).GetByRole(AriaRole.Button, new() { Name = "Sign Out" }).ClickAsync();
        await person.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");

        await person.GotoAsync("/auth/signin");
        await person.GetByLabel("Email").FillAsync(email);
        await person.GetByLabel("Password").FillAsync("not my password");
        await person.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(person.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Invalid credentials");
        Assert.EndsWith("/auth/signin", person.Url, StringComparison.Ordinal);
        await Expect(person.GetByLabel("Email")).ToHaveValueAsync(email);
        await Expect(person.GetByLabel("Password")).ToHaveValueAsync("");
        await Expect(People.Header(person).GetByRole(AriaRole.Link, new() { Name = "Sign In" })).ToBeVisibleAsync();
    }

    [SkippableFact]
    public async Task ACrossSiteFormPost_IsRefused_AndSellsNothing()
    {
        var person = await PersonAsync();
        await People.SignUpAsync(person, "target");
        var title = $"Forged {Guid.NewGuid():N}"[..20];

        // Another site's page, in the signed-in person's browser, posting the sell form to us.
        var site = platform.Gateway.ToString().TrimEnd('/');
        await person.GotoAsync("about:blank");
        await person.SetContentAsync($"""
            <form method="post" action="{site}/tickets/new">
              <input name="_handler" value="sell"><input name="Form.Title" value="{title}"><input name="Form.Price" value="1">
              <button type="submit">Win a prize</button>
            </form>
            """);
        var response = await person.RunAndWaitForResponseAsync(
            () => person.GetByRole(AriaRole.Button, new() { Name = "Win a prize" }).ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/tickets/new", StringComparison.Ordinal));

        Assert.NotNull(response);
        Assert.Equal((int)HttpStatusCode.BadRequest, response.Status);
        using var api = platform.NewClient();
        var listed = await api.GetStringAsync("/api/tickets?limit=500");
        Assert.DoesNotContain(title, listed, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Screenshots_OfEveryMainPage_AtDesktopAndPhoneWidth()
    {
        Directory.CreateDirectory(Chromium.ScreenshotDirectory);
        var seller = await PersonAsync();
        await People.SignUpAsync(seller, "shots");
        var ticketId = await People.SellAsync(seller, "Symphony No. 9 — front row", "185");
        await People.SellAsync(seller, "Indie rock festival day pass", "64.99");
        await People.SellAsync(seller, "Stand-up comedy, Friday 8pm", "28");
        await People.SellAsync(seller, "Cup final — block C, row 14", "1250");
        var buyer = await PersonAsync();
        await People.SignUpAsync(buyer, "shots-buyer");
        var orderId = await People.PurchaseAsync(buyer, ticketId);

        var pages = new (string Name, string Path, bool SignedIn)[]
        {
            ("tickets", "/", true),
            ("signup", "/auth/signup", false),
            ("signin", "/auth/signin?returnUrl=%2Forders", false),
            ("sell", "/tickets/new", true),
            ("ticket", $"/tickets/{ticketId}", true),
            ("order", $"/orders/{orderId}", true),
            ("orders", "/orders", true),
            ("not-found", "/no-such-page", false),
        };
        var cookies = await buyer.Context.CookiesAsync();
        foreach (var (viewportName, viewport) in new[] { ("desktop", Chromium.Desktop), ("phone", Chromium.Phone) })
        {
            var visitor = await PersonAsync(viewport);
            var signedIn = await PersonAsync(viewport);
            await signedIn.Context.AddCookiesAsync(cookies.Select(c => new Microsoft.Playwright.Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path }));
            foreach (var (name, path, asUser) in pages)
            {
                var page = asUser ? signedIn : visitor;
                await page.GotoAsync(path);
                await page.Locator("h1").First.WaitForAsync();
                var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
                Assert.True(overflow <= 0, $"{path} is {overflow}px wider than the {viewportName} screen");
                var file = Path.Combine(Chromium.ScreenshotDirectory, $"{name}-{viewportName}.png");
                await page.ScreenshotAsync(new() { Path = file, FullPage = true });
                output.WriteLine($"saved {file}");
            }
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }

    private async Task<IPage> PersonAsync(ViewportSize? viewport = null)
    {
        Skip.IfNot(Chromium.Installed, Chromium.NotInstalled);
        var page = await chromium.NewPersonAsync(platform.Gateway, viewport);
        _contexts.Add(page.Context);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add($"{page.Url}: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_consoleErrors)
            {
                _consoleErrors.Add($"{page.Url}: {error}");
            }
        };
        return page;
    }

    /// <summary>A seller's fresh ticket, bought by a fresh buyer whose page is on the order.</summary>
    private async Task<(IPage Buyer, string Title, string OrderId)> OrderATicketAsync()
    {
        var seller = await PersonAsync();
        await People.SignUpAsync(seller, "seller");
        var title = $"Theatre {Guid.NewGuid():N}"[..20];
        var ticketId = await People.SellAsync(seller, title, "30");
        var buyer = await PersonAsync();
        await People.SignUpAsync(buyer, "buyer");
        var orderId = await People.PurchaseAsync(buyer, ticketId);
        return (buyer, title, orderId);
    }

    private async Task SkipUnlessRunsAsync(string service)
    {
        Skip.IfNot(Chromium.Installed, Chromium.NotInstalled);
        if (!await PlatformSettings.RunsAsync(platform, service))
        {
            output.WriteLine($"Skipped: {PlatformSettings.Without(service)}");
            Console.WriteLine($"BrowserStoryTests: skipped a step: {PlatformSettings.Without(service)}");
            Skip.If(true, PlatformSettings.Without(service));
        }
    }
}
