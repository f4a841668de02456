using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Messaging;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Testing.Storage;
using Ticketing.Common.Testing.Web;

namespace Ticketing.Orders.Tests.Outbox;

/// <summary>
/// A successful order is reported as one: when removing its published OrderCreated from the outbox fails right after
/// the insert (the database drops), POST /api/orders still answers 201 and the event is out. Only HTTP, the event
/// contract and the common storage seams are used, so the test does not depend on orders' internals.
/// </summary>
public sealed class OutboxCleanupFailureTests : IAsyncLifetime
{
    private readonly OutboxCleanupFault _fault = new();
    private NatsServer _nats = null!;
    private ServiceFactory<Program> _factory = null!;
    private WebApplicationFactory<Program> _host = null!;

    public async Task InitializeAsync()
    {
        _nats = await NatsServer.StartNewAsync();
        _factory = new ServiceFactory<Program>();
        _factory.Settings["NATS_URL"] = _nats.Url;
        _host = _factory.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
            services.AddSingleton<IDocumentDatabase>(sp => new OutboxCleanupFaultDatabase(
                StorageOptions.From(sp.GetRequiredService<IConfiguration>(), "orders").Open(), _fault))));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _factory.DisposeAsync();
        await _nats.DisposeAsync();
    }

    [Fact]
    public async Task PlaceOrder_WhenTheOutboxCleanupFailsAfterTheInsert_Returns201_AndTheEventIsOut()
    {
        var connection = _host.Services.GetRequiredService<INatsConnection>();
        await Eventually.TrueAsync(() => connection.ConnectionState == NatsConnectionState.Open, "the service to connect to NATS");
        await using var probe = await StreamProbe.StartAsync(_host.Services);
        var ticket = new TicketCreatedV1(DocumentIds.New(), 0, "Concert", 20m, DocumentIds.New());
        await _host.Services.GetRequiredService<IEventPublisher>().PublishAsync(ticket, TimeProvider.System);
        var client = _host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        client.SignIn(_factory.JwtKey);
        _fault.Failing = true;

        HttpResponseMessage? response = null;
        await Eventually.TrueAsync(async () =>
        {
            response = await client.PostAsJsonAsync("/api/orders", new { ticketId = ticket.Id });
            return response.StatusCode != HttpStatusCode.NotFound; // until orders' replica has the ticket
        }, "orders to know the ticket");

        Assert.Equal(HttpStatusCode.Created, response!.StatusCode);
        Assert.True(_fault.Failures >= 1);
        await probe.WaitForAsync<OrderCreatedV1>(o => o.Ticket.Id == ticket.Id, "the OrderCreated to be published");
    }
}
