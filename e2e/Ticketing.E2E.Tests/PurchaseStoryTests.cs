using System.Net;
using System.Net.Http.Json;
using Ticketing.E2E.Tests.Platform;

namespace Ticketing.E2E.Tests;

/// <summary>
/// The purchase story of docs/api.md, end to end through the gateway, as far as the services that exist allow.
/// Each service that lands adds its steps where its comment marks the place:
/// payments: pay (tok_visa) -> order complete -> ticket sold (and a declined card, a late payment);
/// expiration (ExpirationStoryTests): an order left unpaid (ORDER_EXPIRATION_WINDOW_SECONDS short) expires and the ticket is available again;
/// client: the same story through the pages in Chromium.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PurchaseStoryTests(PlatformFixture platform)
{
    [Fact]
    public async Task Sign_up_sell_see_it_listed_buy_see_it_reserved_cancel_and_see_it_released()
    {
        // auth: sign up; the session cookie works through the gateway (Secure is off for plain http locally).
        using var seller = await User.SignUpAsync(platform, "seller");
        Assert.Equal(seller.Email, await seller.CurrentUserEmailAsync());

        // tickets: sell one; anyone sees it listed.
        var ticket = await seller.SellAsync("Concert in the park", 20.50m);
        using var visitor = User.Anonymous(platform);
        Assert.Null(await visitor.CurrentUserEmailAsync());
        Assert.Contains(await visitor.ListedTicketsAsync(), t => t.Id == ticket.Id);

        // orders: another user buys it (once TicketCreated has reached orders); the order holds it for the window.
        using var buyer = await User.SignUpAsync(platform, "buyer");
        var before = DateTimeOffset.UtcNow;
        var order = await buyer.BuyAsync(ticket.Id);
        Assert.True(order.ExpiresAt > before, $"expiresAt {order.ExpiresAt:O} is not in the future");
        Assert.Equal(ticket.Title, order.Ticket.Title);
        Assert.Equal(ticket.Price, order.Ticket.Price);
        Assert.Contains(await buyer.OrdersAsync(), o => o.Id == order.Id);

        // tickets hears OrderCreated: the ticket is reserved by that order and no longer listed.
        var reserved = await visitor.TicketEventuallyAsync(ticket.Id, t => t.Status == "reserved", "the ticket is reserved");
        Assert.Equal(order.Id, reserved.OrderId);
        Assert.DoesNotContain(await visitor.ListedTicketsAsync(), t => t.Id == ticket.Id);

        // While reserved: nobody else can buy it, the seller cannot edit it, and the order is the buyer's alone.
        using var rival = await User.SignUpAsync(platform, "rival");
        using (var lost = await rival.PlaceOrderAsync(ticket.Id))
        {
            await User.ExpectProblemAsync(lost, HttpStatusCode.BadRequest, "Ticket is already reserved", "a second buyer");
        }

        using (var edit = await seller.Http.PutAsJsonAsync($"/api/tickets/{ticket.Id}", new { title = "Concert", price = 25 }))
        {
            await User.ExpectProblemAsync(edit, HttpStatusCode.BadRequest, "Cannot edit a reserved ticket", "edit a reserved ticket");
        }

        using (var peek = await rival.Http.GetAsync($"/api/orders/{order.Id}"))
        {
            await User.ExpectProblemAsync(peek, HttpStatusCode.Forbidden, null, "read someone else's order");
        }

        // [payments: buyer pays with tok_visa -> 201; the order becomes complete; the ticket becomes sold.]

        // The buyer cancels: the order is cancelled at once, and tickets hears OrderCancelled and releases the ticket.
        await buyer.CancelAsync(order.Id);
        Assert.Equal("cancelled", (await buyer.OrderAsync(order.Id)).Status);
        var released = await visitor.TicketEventuallyAsync(ticket.Id, t => t.Status == "available", "the ticket is released");
        Assert.Null(released.OrderId);
        Assert.Contains(await visitor.ListedTicketsAsync(), t => t.Id == ticket.Id);

        // Someone else can buy it now; the old order's cancellation does not release the new reservation.
        var second = await rival.BuyAsync(ticket.Id);
        var reservedAgain = await visitor.TicketEventuallyAsync(ticket.Id, t => t.Status == "reserved" && t.OrderId == second.Id, "the ticket is reserved by the second order");
        Assert.True(reservedAgain.Version > reserved.Version);

        // [expiration: an unpaid order expires and frees its ticket — ExpirationStoryTests, on a platform with a short window.]
    }

    [Fact]
    public async Task Every_api_error_reaches_the_caller_in_the_error_contract()
    {
        using var visitor = User.Anonymous(platform);

        using (var anonymousSale = await visitor.Http.PostAsJsonAsync("/api/tickets", new { title = "x", price = 1 }))
        {
            await User.ExpectProblemAsync(anonymousSale, HttpStatusCode.Unauthorized, "Not authorized", "sell without signing in");
        }

        using (var badSignup = await visitor.Http.PostAsJsonAsync("/api/users/signup", new { email = "not-an-email", password = "password1" }))
        {
            var problem = await User.ExpectProblemAsync(badSignup, HttpStatusCode.BadRequest, "Email must be valid", "sign up with a bad email");
            Assert.Equal("email", problem.Errors[0].Field);
        }

        using (var unknown = await visitor.Http.GetAsync("/api/tickets/000000000000000000000000"))
        {
            await User.ExpectProblemAsync(unknown, HttpStatusCode.NotFound, null, "an unknown ticket");
        }

        using var seller = await User.SignUpAsync(platform, "validator");
        using (var badPrice = await seller.Http.PostAsJsonAsync("/api/tickets", new { title = "Gig", price = -10 }))
        {
            await User.ExpectProblemAsync(badPrice, HttpStatusCode.BadRequest, "Price must be greater than 0", "sell for a negative price");
        }
    }
}
