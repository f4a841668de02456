using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Storage;

namespace Ticketing.Orders.Tests.Outbox;

/// <summary>
/// A successful order is reported as one: when removing its published OrderCreated from the outbox fails right after
/// the insert (the database drops), POST /api/orders still answers 201 and the event is out. Only HTTP, the event
/// contract and the common storage seams are used, so the test does not depend on orders' internals.
/// </summary>
public sealed class OutboxCleanupFailureTests : OrdersAppFixture
{
    private readonly OutboxCleanupFault _fault = new();

    protected override OrdersApp CreateApp() => new()
    {
        OwnNats = true,
        TestServices = services => services.AddSingleton<IDocumentDatabase>(sp => new OutboxCleanupFaultDatabase(
            StorageOptions.From(sp.GetRequiredService<IConfiguration>(), "orders").Open(), _fault)),
    };

    [Fact]
    public async Task PlaceOrder_WhenTheOutboxCleanupFailsAfterTheInsert_Returns201_AndTheEventIsOut()
    {
        var ticket = new TicketCreatedV1(DocumentIds.New(), 0, "Concert", 20m, DocumentIds.New());
        await App.PublishAsync(ticket);
        var client = App.CreateSignedInClient();
        _fault.Failing = true;

        HttpResponseMessage? response = null;
        await Eventually.TrueAsync(async () =>
        {
            response = await client.PostAsJsonAsync("/api/orders", new { ticketId = ticket.Id });
            return response.StatusCode != HttpStatusCode.NotFound; // until orders' replica has the ticket
        }, "orders to know the ticket");

        Assert.Equal(HttpStatusCode.Created, response!.StatusCode);
        Assert.True(_fault.Failures >= 1);
        await App.WaitForEventAsync<OrderCreatedV1>(o => o.Ticket.Id == ticket.Id, "the OrderCreated to be published");
    }
}
