using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Driver;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Storage.Mongo;
using Ticketing.Common.Testing.Web;
using Ticketing.Orders.Tests.Infrastructure;

namespace Ticketing.Orders.Tests.Http;

/// <summary>
/// The course's race: buyers checking "is there a live order?" and then saving, so two could win. Here, of 50
/// concurrent buyers of one ticket exactly one gets the order, on the embedded store and on MongoDB (when
/// <c>MONGO_URI</c> names a server for tests; the store contract also covers MongoDB through Testcontainers).
/// </summary>
public sealed class ConcurrentReservationTests(OrdersAppFixture fixture) : IClassFixture<OrdersAppFixture>
{
    [Fact]
    public Task FiftyConcurrentOrders_ForOneTicket_ExactlyOneIsCreated() => RaceAsync(fixture.App);

    [SkippableFact]
    public async Task FiftyConcurrentOrders_ForOneTicket_OnMongo_ExactlyOneIsCreated()
    {
        var uri = Environment.GetEnvironmentVariable("MONGO_URI");
        Skip.If(string.IsNullOrEmpty(uri), "MongoDB is not available here: set MONGO_URI to a MongoDB server for tests.");
        var url = new MongoUrlBuilder(uri) { DatabaseName = $"test_orders_{Guid.NewGuid():N}" }.ToMongoUrl();
        await using var app = new OrdersApp { OwnNats = true };
        app.Settings["MONGO_URI"] = url.ToString();
        await app.StartAsync();
        try
        {
            await RaceAsync(app);
        }
        finally
        {
            var database = (MongoDocumentDatabase)app.Services.GetRequiredService<IDocumentDatabase>();
            await database.Database.Client.DropDatabaseAsync(url.DatabaseName);
        }
    }

    private static async Task RaceAsync(OrdersApp app)
    {
        var ticket = await app.SeedTicketAsync();
        var buyers = Enumerable.Range(0, 50).Select(_ => app.CreateSignedInClient()).ToList();
        using var start = new SemaphoreSlim(0);

        var requests = buyers.Select(async buyer =>
        {
            await start.WaitAsync();
            return await buyer.PostAsJsonAsync("/api/orders", new { ticketId = ticket.Id });
        }).ToList();
        start.Release(buyers.Count);
        var responses = await Task.WhenAll(requests);

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.Created).ToList();
        Assert.Equal(49, refused.Count);
        foreach (var response in refused)
        {
            await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Ticket is already reserved", null));
        }

        var stored = Assert.Single(await app.Orders.ListForTicketAsync(ticket.Id));
        Assert.Equal(OrderStatus.Created, stored.Status);
        await app.WaitForEventAsync<OrderCreatedV1>(e => e.Id == stored.Id, "OrderCreated of the winner");
        Assert.Single(await app.Events.AllAsync<OrderCreatedV1>(), e => e.Ticket.Id == ticket.Id);
    }
}
