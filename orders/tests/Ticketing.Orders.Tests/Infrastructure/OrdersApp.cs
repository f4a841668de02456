global using OrdersApp = Ticketing.Common.Testing.Web.ServiceApp<Program>;
global using OrdersAppFixture = Ticketing.Common.Testing.Web.ServiceAppFixture<Program>;
using System.Net.Http.Json;
using Ticketing.Common.Storage;
using Ticketing.Orders.Data;
using Ticketing.Orders.Domain;
using Ticketing.Orders.Endpoints;

namespace Ticketing.Orders.Tests.Infrastructure;

/// <summary>
/// The orders service under test is the shared <c>ServiceApp</c> (in memory, on a real nats-server, with a stream
/// probe, event publishing and "wait until handled"); these are the few things only orders' tests need from it:
/// its stores, tickets in the replica, and placing an order.
/// </summary>
public static class OrdersAppExtensions
{
    extension(OrdersApp app)
    {
        public IOrderStore Orders => app.Service<IOrderStore>();

        public ITicketReplicaStore Tickets => app.Service<ITicketReplicaStore>();

        /// <summary>A ticket written straight into the replica, as if its TicketCreated had been handled.</summary>
        public async Task<TicketReplica> SeedTicketAsync(string title = "Concert", decimal price = 20m)
        {
            var ticket = new TicketReplica { Id = DocumentIds.New(), Title = title, Price = price, Version = 0 };
            Assert.Equal(WriteResult.Ok, await app.Tickets.AddAsync(ticket));
            return ticket;
        }

        /// <summary>Places an order through the API and returns it (asserting the 201).</summary>
        public async Task<OrderResponse> PlaceOrderAsync(HttpClient client, string ticketId)
        {
            var response = await client.PostAsJsonAsync("/api/orders", new { ticketId });
            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<OrderResponse>(TestJson.Options))!;
        }

        /// <summary>A new signed-in buyer's order for a new ticket in the replica, placed through the API.</summary>
        public async Task<(HttpClient Client, OrderResponse Order)> PlaceNewOrderAsync()
        {
            var client = app.CreateSignedInClient();
            var ticket = await app.SeedTicketAsync();
            return (client, await app.PlaceOrderAsync(client, ticket.Id));
        }

        /// <summary>A stored order (asserting it exists).</summary>
        public async Task<Order> StoredOrderAsync(string id) =>
            await app.Orders.GetAsync(id) ?? throw new Xunit.Sdk.XunitException($"Order {id} is not stored.");
    }
}
