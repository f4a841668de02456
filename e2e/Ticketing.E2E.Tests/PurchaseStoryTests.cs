using System.Net;
using System.Net.Http.Json;
using Ticketing.Common.Testing;
using Ticketing.E2E.Tests.Platform;

namespace Ticketing.E2E.Tests;

/// <summary>
/// The purchase story of docs/api.md, end to end through the gateway, as far as the services that exist allow.
/// Each service that lands adds its steps where its comment marks the place:
/// payments: pay (tok_visa) -> order complete -> ticket sold, a declined card first, paying twice, paying a cancelled
/// order (<see cref="Story_BuyAndPay_CompletesTheOrderAndSellsTheTicket_AndRefusesPayingAgainOrACancelledOrder"/>);
/// expiration (ExpirationStoryTests): an order left unpaid (ORDER_EXPIRATION_WINDOW_SECONDS short) expires and the ticket is available again;
/// client: the same story through the pages in Chromium.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PurchaseStoryTests(PlatformFixture platform)
{
    [Fact]
    public async Task Story_SignUpSellBuyCancel_ListsReservesAndReleasesTheTicket()
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

        // (payments: this story cancels the reservation; the paid one is the next test.)

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
    public async Task ApiErrors_ThroughTheGateway_ReachTheCallerInTheErrorContract()
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

    [Fact]
    public async Task Story_BuyAndPay_CompletesTheOrderAndSellsTheTicket_AndRefusesPayingAgainOrACancelledOrder()
    {
        using var seller = await User.SignUpAsync(platform, "seller");
        using var buyer = await User.SignUpAsync(platform, "buyer");
        using var visitor = User.Anonymous(platform);
        var ticket = await seller.SellAsync("Opera night", 19.99m);
        var order = await buyer.BuyAsync(ticket.Id);

        // payments: a declined card is 402 with Stripe's reason, and changes nothing.
        using (var declined = await buyer.PayAsync(order.Id, "tok_chargeDeclined"))
        {
            await User.ExpectProblemAsync(declined, HttpStatusCode.PaymentRequired, "Your card was declined.", "pay with a declined card");
        }

        Assert.Equal("created", (await buyer.OrderAsync(order.Id)).Status);

        // Someone else cannot pay the buyer's order.
        using (var stranger = await User.SignUpAsync(platform, "stranger"))
        using (var forbidden = await stranger.PayAsync(order.Id, "tok_visa"))
        {
            await User.ExpectProblemAsync(forbidden, HttpStatusCode.Forbidden, null, "pay someone else's order");
        }

        // The buyer pays: orders hears PaymentCreated and completes the order; tickets hears OrderCompleted and sells the ticket.
        var payment = await buyer.PaidAsync(order.Id, "tok_visa");
        var complete = await buyer.OrderEventuallyAsync(order.Id, o => o.Status == "complete", "the order is complete");
        Assert.True(complete.Version > order.Version);
        var sold = await visitor.TicketEventuallyAsync(ticket.Id, t => t.Status == "sold", "the ticket is sold");
        Assert.Equal(order.Id, sold.OrderId);
        Assert.DoesNotContain(await visitor.ListedTicketsAsync(), t => t.Id == ticket.Id);

        // Paying again is refused, and the paid order cannot be cancelled.
        using (var again = await buyer.PayAsync(order.Id, "tok_visa"))
        {
            await User.ExpectProblemAsync(again, HttpStatusCode.BadRequest, "Order is already paid", "pay the same order twice");
        }

        using (var cancel = await buyer.Http.DeleteAsync($"/api/orders/{order.Id}"))
        {
            await User.ExpectProblemAsync(cancel, HttpStatusCode.BadRequest, "Cannot cancel a completed order", "cancel a paid order");
        }

        Assert.Equal("complete", (await buyer.OrderAsync(order.Id)).Status);
        Assert.NotEmpty(payment.Id);

        // Paying a cancelled order is refused. Until payments has heard the cancellation, a payment method it does not
        // know is refused before any charge (400 on the token); once it has, the order itself is refused.
        var other = await seller.SellAsync("Matinee", 5m);
        var cancelled = await buyer.BuyAsync(other.Id);
        await buyer.CancelAsync(cancelled.Id);
        await Eventually.TrueAsync(
            async () =>
            {
                using var probe = await buyer.PayAsync(cancelled.Id, "pm_not_a_test_card");
                var problem = await User.ExpectProblemAsync(probe, HttpStatusCode.BadRequest, null, "pay a cancelled order with an unknown card");
                return problem.Errors[0].Message == "Cannot pay for a cancelled order";
            },
            "payments to know the order is cancelled",
            User.EventualTimeout);
        using (var late = await buyer.PayAsync(cancelled.Id, "tok_visa"))
        {
            await User.ExpectProblemAsync(late, HttpStatusCode.BadRequest, "Cannot pay for a cancelled order", "pay a cancelled order");
        }

        Assert.Equal("cancelled", (await buyer.OrderAsync(cancelled.Id)).Status);
    }
}
