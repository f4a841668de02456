using System.Net;
using System.Net.Http.Json;
using Ticketing.E2E.Tests.Platform;

namespace Ticketing.E2E.Tests;

/// <summary>
/// The course's reservation race, fixed: of any number of simultaneous buyers of one ticket exactly one gets it.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ConcurrentBuyersTests(PlatformFixture platform)
{
    private const int Buyers = 10;

    [Fact]
    public async Task Buy_WhenManyBuyersTryAtOnce_ExactlyOneGetsTheTicket()
    {
        using var seller = await User.SignUpAsync(platform, "seller");
        var ticket = await seller.SellAsync("Final, front row", 150m);
        var buyers = await Task.WhenAll(Enumerable.Range(0, Buyers).Select(i => User.SignUpAsync(platform, $"buyer{i}")));
        try
        {
            // Make sure orders already knows the ticket (TicketCreated arrived), so the race below is about reserving,
            // not about replication: one buyer orders and cancels first.
            var probe = await buyers[0].BuyAsync(ticket.Id);
            await buyers[0].CancelAsync(probe.Id);

            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = buyers.Select(async buyer =>
            {
                await go.Task;
                using var response = await buyer.Http.PostAsJsonAsync("/api/orders", new { ticketId = ticket.Id });
                return (Buyer: buyer, Status: response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            }).ToList();
            go.SetResult();
            var results = await Task.WhenAll(attempts);

            var summary = string.Join("\n", results.Select(r => $"{(int)r.Status} {r.Body}"));
            var winners = results.Where(r => r.Status == HttpStatusCode.Created).ToList();
            Assert.True(winners.Count == 1, $"expected exactly one 201 among {Buyers} simultaneous buyers:\n{summary}");
            Assert.All(results.Where(r => r.Status != HttpStatusCode.Created), r =>
            {
                Assert.Equal(HttpStatusCode.BadRequest, r.Status);
                Assert.Contains("Ticket is already reserved", r.Body, StringComparison.Ordinal);
            });

            var winningOrder = System.Text.Json.JsonSerializer.Deserialize<OrderDto>(winners[0].Body, User.Json)!;
            Assert.Equal(winners[0].Buyer.Id, winningOrder.UserId);
            using var visitor = User.Anonymous(platform);
            await visitor.TicketEventuallyAsync(ticket.Id, t => t.Status == "reserved" && t.OrderId == winningOrder.Id, "the ticket is reserved by the winner");
        }
        finally
        {
            foreach (var buyer in buyers)
            {
                buyer.Dispose();
            }
        }
    }
}
