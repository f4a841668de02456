using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Outbox;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Messaging;
using Ticketing.Common.Testing.Processes;
using Ticketing.Tickets.Endpoints;
using Ticketing.Tickets.Tests.Infrastructure;

namespace Ticketing.Tickets.Tests.Events;

/// <summary>
/// The service against a real nats-server, as other services see it: what it publishes when tickets change,
/// how it reacts to order events, and that an event stored while NATS is down still goes out once NATS is back.
/// Each test has a server of its own (the class is its own fixture, started and stopped around each test), so consumers
/// reading from the start of the stream see only its messages.
/// </summary>
public sealed class TicketEventsTests : TicketsAppFixture
{
    /// <summary>Publishes an order event the way orders does (JetStream, message id, headers).</summary>
    // As orders would (the harness publishes as admin: tickets' own NATS user may publish only ticketing.ticket.>).
    private Task PublishAsync<TEvent>(TEvent @event) where TEvent : IIntegrationEvent<TEvent> => App.PublishAsync(@event);

    private static OrderCreatedV1 OrderCreated(string orderId, string ticketId) =>
        new(orderId, 0, OrderStatus.Created, DocumentIds.New(), DateTimeOffset.UtcNow.AddMinutes(15), new OrderTicketV1(ticketId, 20m));

    /// <summary>
    /// Creates a ticket after everything else and waits for its TicketCreated: the stream is ordered, so by then
    /// the probe has seen every event published before it.
    /// </summary>
    private async Task SentinelAsync(StreamProbe probe)
    {
        var sentinel = await App.CreateSignedInClient(out _).CreateTicketAsync("Sentinel", 1m);
        await probe.WaitForAsync<TicketCreatedV1>(e => e.Id == sentinel.Id, "the sentinel ticket's TicketCreated");
    }

    [Fact]
    public async Task CreatingAndUpdatingATicket_PublishesTicketCreatedAndTicketUpdated_WithTheirVersions()
    {
        var probe = App.Events;
        var client = App.CreateSignedInClient(out var userId);

        var ticket = await client.CreateTicketAsync("Concert", 20m);
        await client.PutTicketAsync(ticket.Id, new { title = "Concert (moved)", price = 25.5m });

        var created = await probe.WaitForAsync<TicketCreatedV1>(e => e.Id == ticket.Id, "TicketCreated");
        var updated = await probe.WaitForAsync<TicketUpdatedV1>(e => e.Id == ticket.Id, "TicketUpdated");
        Assert.Equal(new TicketCreatedV1(ticket.Id, 0, "Concert", 20m, userId), created);
        Assert.Equal(new TicketUpdatedV1(ticket.Id, 1, "Concert (moved)", 25.5m, userId, null, TicketStatus.Available), updated);
        var messages = await probe.MessagesAsync();
        Assert.Contains(messages, m => m.MessageId == $"ticket.created.v1:{ticket.Id}:v0");
        Assert.Contains(messages, m => m.MessageId == $"ticket.updated.v1:{ticket.Id}:v1");
        Assert.Empty((await App.Store.GetAsync(ticket.Id))!.Outbox); // published by the write itself, then removed
    }

    [Fact]
    public async Task CreatingATicket_InARequestWithATraceparent_PublishesTicketCreatedInThatTrace()
    {
        var probe = App.Events;
        const string traceId = "0af7651916cd43dd8448eb211c80319c";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { title = "Traced", price = 20m }) };
        request.Headers.Add("traceparent", $"00-{traceId}-b7ad6b7169203331-01");

        var response = await App.CreateSignedInClient(out _).SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var ticket = (await response.Content.ReadFromJsonAsync<TicketResponse>(Api.Json))!;
        await probe.WaitForAsync<TicketCreatedV1>(e => e.Id == ticket.Id, "TicketCreated");
        var message = Assert.Single(await probe.MessagesAsync(), m => m.MessageId == $"ticket.created.v1:{ticket.Id}:v0");
        Assert.StartsWith($"00-{traceId}-", message.Header(MessageHeaders.TraceParent), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrderCreated_ReservesTheTicket_AndPublishesTicketUpdatedWithTheOrder()
    {
        var probe = App.Events;
        var ticket = await App.CreateSignedInClient(out var sellerId).CreateTicketAsync("Concert", 20m);
        var orderId = DocumentIds.New();

        await PublishAsync(OrderCreated(orderId, ticket.Id));

        var updated = await probe.WaitForAsync<TicketUpdatedV1>(e => e.Id == ticket.Id, "TicketUpdated for the reservation");
        Assert.Equal(new TicketUpdatedV1(ticket.Id, 1, "Concert", 20m, sellerId, orderId, TicketStatus.Reserved), updated);
        var shown = await App.CreateAnonymousClient().GetTicketAsync(ticket.Id);
        Assert.Equal((orderId, TicketStatus.Reserved, 1L), (shown.OrderId, shown.Status, shown.Version));
        Assert.DoesNotContain(await App.CreateAnonymousClient().ListTicketsAsync(), t => t.Id == ticket.Id);
    }

    [Fact]
    public async Task OrderCancelled_OfAnotherOrder_LeavesTheReservationAlone_AndPublishesNothing()
    {
        var probe = App.Events;
        var ticket = await App.CreateSignedInClient(out _).CreateTicketAsync();
        var (holder, stale) = (DocumentIds.New(), DocumentIds.New());
        await PublishAsync(OrderCreated(holder, ticket.Id));
        await probe.WaitForAsync<TicketUpdatedV1>(e => e.Id == ticket.Id && e.OrderId == holder, "the reservation");

        await PublishAsync(new OrderCancelledV1(stale, 1, new OrderTicketRefV1(ticket.Id)));
        await probe.WaitUntilHandledAsync<OrderCancelledV1>();

        var shown = await App.CreateAnonymousClient().GetTicketAsync(ticket.Id);
        Assert.Equal((holder, TicketStatus.Reserved, 1L), (shown.OrderId, shown.Status, shown.Version));
        await SentinelAsync(probe);
        Assert.Equal([1L], (await probe.AllAsync<TicketUpdatedV1>()).Where(e => e.Id == ticket.Id).Select(e => e.Version));
        Assert.Empty(await probe.ParkedAsync());
    }

    [Fact]
    public async Task OrderCreated_DeliveredTwice_ChangesTheTicketOnce()
    {
        var probe = App.Events;
        var ticket = await App.CreateSignedInClient(out _).CreateTicketAsync();
        var orderCreated = OrderCreated(DocumentIds.New(), ticket.Id);

        await PublishAsync(orderCreated);
        // The same event again under another message id, so the stream keeps it and the handler really sees it twice.
        await App.PublishAsync(orderCreated, $"{orderCreated.MessageId}:again");
        await probe.WaitUntilHandledAsync<OrderCreatedV1>();

        var shown = await App.CreateAnonymousClient().GetTicketAsync(ticket.Id);
        Assert.Equal((orderCreated.Id, 1L), (shown.OrderId, shown.Version));
        await SentinelAsync(probe);
        Assert.Equal([1L], (await probe.AllAsync<TicketUpdatedV1>()).Where(e => e.Id == ticket.Id).Select(e => e.Version));
        Assert.Empty(await probe.ParkedAsync());
    }

    [Fact]
    public async Task OrderCancelled_OfTheHolder_ReleasesTheTicket_AndPublishesIt()
    {
        var probe = App.Events;
        var ticket = await App.CreateSignedInClient(out var sellerId).CreateTicketAsync("Concert", 20m);
        var orderId = DocumentIds.New();
        await PublishAsync(OrderCreated(orderId, ticket.Id));
        // Wait for the reservation first: handled before its OrderCreated, the cancellation would (rightly)
        // keep the ticket from ever being reserved, and there would be nothing to release (decision 0006).
        await probe.WaitForAsync<TicketUpdatedV1>(e => e.Id == ticket.Id && e.Version == 1, "TicketUpdated for the reservation");

        await PublishAsync(new OrderCancelledV1(orderId, 1, new OrderTicketRefV1(ticket.Id)));

        var released = await probe.WaitForAsync<TicketUpdatedV1>(e => e.Id == ticket.Id && e.Version == 2, "TicketUpdated for the release");
        Assert.Equal(new TicketUpdatedV1(ticket.Id, 2, "Concert", 20m, sellerId, null, TicketStatus.Available), released);
        Assert.Contains(await App.CreateAnonymousClient().ListTicketsAsync(), t => t.Id == ticket.Id);
    }

    [Fact]
    public async Task OrderCompleted_MarksTheTicketSold_AndPublishesItWithTheOrder()
    {
        var probe = App.Events;
        var ticket = await App.CreateSignedInClient(out var sellerId).CreateTicketAsync("Concert", 20m);
        var orderId = DocumentIds.New();
        await PublishAsync(OrderCreated(orderId, ticket.Id));

        await PublishAsync(new OrderCompletedV1(orderId, 2, new OrderTicketRefV1(ticket.Id)));

        var sold = await probe.WaitForAsync<TicketUpdatedV1>(e => e.Id == ticket.Id && e.Version == 2, "TicketUpdated for the sale");
        Assert.Equal(new TicketUpdatedV1(ticket.Id, 2, "Concert", 20m, sellerId, orderId, TicketStatus.Sold), sold);
        Assert.Equal(TicketStatus.Sold, (await App.CreateAnonymousClient().GetTicketAsync(ticket.Id)).Status);
    }

    [Fact]
    public async Task OrderCreated_ForATicketHeldByAnotherOrder_WaitsForThatOrdersCancellation_ThenReserves()
    {
        var probe = App.Events;
        var ticket = await App.CreateSignedInClient(out _).CreateTicketAsync();
        var (first, second) = (DocumentIds.New(), DocumentIds.New());
        await PublishAsync(OrderCreated(first, ticket.Id));
        await probe.WaitForAsync<TicketUpdatedV1>(e => e.Id == ticket.Id && e.OrderId == first, "the first reservation");

        // The next order's OrderCreated is handled before the first order's OrderCancelled (another subject).
        await PublishAsync(OrderCreated(second, ticket.Id));
        await Eventually.TrueAsync(async () =>
        {
            var info = await probe.ConsumerInfoAsync<OrderCreatedV1>();
            return info is { NumPending: 0, NumAckPending: 1, NumRedelivered: 1 };
        }, "the second OrderCreated to be handled, put back and delivered again");
        await PublishAsync(new OrderCancelledV1(first, 1, new OrderTicketRefV1(ticket.Id)));

        var reserved = await probe.WaitForAsync<TicketUpdatedV1>(e => e.Id == ticket.Id && e.Version == 3, "the second reservation");
        Assert.Equal((second, TicketStatus.Reserved), (reserved.OrderId, reserved.Status));
        Assert.Equal([1L, 2L, 3L], (await probe.AllAsync<TicketUpdatedV1>()).Where(e => e.Id == ticket.Id).Select(e => e.Version));
        Assert.Empty(await probe.ParkedAsync());
    }

    [Fact]
    public async Task OrderCreated_ForAnUnknownTicket_IsParked_WithTheReason()
    {
        var probe = App.Events;
        var unknown = DocumentIds.New();

        await PublishAsync(OrderCreated(DocumentIds.New(), unknown));

        var parked = await probe.WaitForParkedAsync();
        var reason = parked.Header(MessageHeaders.ParkedReason);
        Assert.Equal(unknown, EventJson.Deserialize<OrderCreatedV1>(parked.Data).Ticket.Id);
        Assert.Contains($"ticket {unknown}", reason, StringComparison.Ordinal);
        Assert.Contains("does not exist", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TicketStoredWhileNatsIsDown_IsPublishedOnceNatsIsBack()
    {
        var client = App.CreateSignedInClient(out var userId);
        var connection = App.Services.GetRequiredService<INatsConnection>();
        await Eventually.TrueAsync(() => connection.ConnectionState == NatsConnectionState.Open, "the service to connect to NATS");

        await App.Nats.StopAsync();
        await Eventually.TrueAsync(() => connection.ConnectionState != NatsConnectionState.Open, "the service to notice NATS is gone");
        var ticket = await client.CreateTicketAsync("Sold during the outage", 42m); // 201: the write does not need NATS
        Assert.Single((await App.Store.GetAsync(ticket.Id))!.Outbox);
        await App.Nats.StartAsync();

        // A probe of its own, created once NATS is back (the app's probe was made before the outage).
        await using var probe = await StreamProbe.StartAsync(App.Services, "ticketing.ticket.>");
        var created = await probe.WaitForAsync<TicketCreatedV1>(e => e.Id == ticket.Id, "the relay to publish the stored TicketCreated", TimeSpan.FromSeconds(60));
        Assert.Equal(new TicketCreatedV1(ticket.Id, 0, "Sold during the outage", 42m, userId), created);
        await Eventually.TrueAsync(async () => (await App.Store.GetAsync(ticket.Id))!.Outbox.Length == 0, "the outbox to be emptied");
    }
}
