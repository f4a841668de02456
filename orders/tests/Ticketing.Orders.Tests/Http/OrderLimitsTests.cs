using System.Net;
using System.Net.Http.Json;
using Ticketing.Common.Testing.Web;
using Ticketing.Orders.Tests.Infrastructure;

namespace Ticketing.Orders.Tests.Http;

/// <summary>One user cannot hold the whole inventory: at most N pending orders (400), and order creation is rate limited per user (429).</summary>
public sealed class OrderLimitsTests
{
    [Fact]
    public async Task Create_WhenTheUserHoldsFivePendingOrders_Returns400_UntilOneIsCancelled()
    {
        await using var app = new OrdersApp { OwnNats = true };
        await app.StartAsync();
        var buyer = app.CreateSignedInClient();
        var placed = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            placed.Add((await app.PlaceOrderAsync(buyer, (await app.SeedTicketAsync($"T{i}")).Id)).Id);
        }

        var sixth = (await app.SeedTicketAsync("Sixth")).Id;
        var refused = await buyer.PostAsJsonAsync("/api/orders", new { ticketId = sixth });
        await refused.AssertProblemAsync(HttpStatusCode.BadRequest, ("Too many pending orders", null));
        Assert.Empty(await app.Orders.ListForTicketAsync(sixth));

        // Another user is not affected, and a cancelled order frees its slot.
        await app.PlaceOrderAsync(app.CreateSignedInClient(), (await app.SeedTicketAsync("Someone else's")).Id);
        Assert.Equal(HttpStatusCode.NoContent, (await buyer.DeleteAsync($"/api/orders/{placed[2]}")).StatusCode);
        await app.PlaceOrderAsync(buyer, sixth);
    }

    [Fact]
    public async Task Create_WhenOneUserRacesTenRequests_NeverHoldsMoreThanFive()
    {
        await using var app = new OrdersApp { OwnNats = true };
        await app.StartAsync();
        var buyer = app.CreateSignedInClient(out var buyerId);
        var tickets = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            tickets.Add((await app.SeedTicketAsync($"Race {i}")).Id);
        }

        var responses = await Task.WhenAll(tickets.Select(id => buyer.PostAsJsonAsync("/api/orders", new { ticketId = id })));

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Equal(5, (await app.Orders.ListForUserAsync(buyerId, 100, 0)).Count);
    }

    [Fact]
    public async Task Create_BeyondTheUsersRate_Returns429WithRetryAfter_WhileOtherUsersGoOn()
    {
        await using var app = new OrdersApp { OwnNats = true };
        app.Settings["ORDER_RATE_LIMIT"] = "3";
        await app.StartAsync();
        var buyer = app.CreateSignedInClient();
        for (var i = 0; i < 3; i++)
        {
            var order = await app.PlaceOrderAsync(buyer, (await app.SeedTicketAsync($"T{i}")).Id);
            await buyer.DeleteAsync($"/api/orders/{order.Id}"); // churn: place and cancel
        }

        var limited = await buyer.PostAsJsonAsync("/api/orders", new { ticketId = (await app.SeedTicketAsync("Fourth")).Id });

        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, ("Too many requests; try again later", null));
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await app.PlaceOrderAsync(app.CreateSignedInClient(), (await app.SeedTicketAsync("Other user")).Id);
    }
}
