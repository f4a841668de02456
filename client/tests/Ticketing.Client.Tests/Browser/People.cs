using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Ticketing.Client.Tests.Browser;

/// <summary>What a person does on the site, step by step through the pages (never through the APIs directly).</summary>
internal static partial class People
{
    public const string Password = "correct horse 1";

    public static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@example.com";

    /// <summary>Sign Up from the header; lands on / signed in.</summary>
    public static async Task<string> SignUpAsync(IPage page, string who)
    {
        var email = NewEmail(who);
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign Up", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/auth/signup");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await Expect(Header(page)).ToContainTextAsync(email);
        return email;
    }

    /// <summary>Sell Tickets from the header; lands on the new ticket's page and returns its id.</summary>
    public static async Task<string> SellAsync(IPage page, string title, string price)
    {
        await Header(page).GetByRole(AriaRole.Link, new() { Name = "Sell Tickets" }).ClickAsync();
        await page.WaitForURLAsync("**/tickets/new");
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByLabel("Price").FillAsync(price);
        await page.GetByRole(AriaRole.Button, new() { Name = "Put it on sale" }).ClickAsync();
        await page.WaitForURLAsync(TicketPage());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(title);
        return new Uri(page.Url).Segments[^1];
    }

    /// <summary>Purchase on a ticket's page; lands on the order's page and returns its id.</summary>
    public static async Task<string> PurchaseAsync(IPage page, string ticketId)
    {
        await page.GotoAsync($"/tickets/{ticketId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Purchase" }).ClickAsync();
        await page.WaitForURLAsync(OrderPage());
        return new Uri(page.Url).Segments[^1];
    }

    public static ILocator Header(IPage page) => page.Locator("header.site-header");

    public static ILocator Countdown(IPage page) => page.Locator("ticketing-countdown .countdown-value");

    [GeneratedRegex(@"/tickets/[0-9a-f]{24}$")]
    public static partial Regex TicketPage();

    [GeneratedRegex(@"/orders/[0-9a-f]{24}$")]
    public static partial Regex OrderPage();
}
