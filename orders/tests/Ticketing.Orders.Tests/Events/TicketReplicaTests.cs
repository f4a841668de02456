using System.Net;
using System.Net.Http.Json;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Orders.Domain;
using Ticketing.Orders.Tests.Infrastructure;

namespace Ticketing.Orders.Tests.Events;

/// <summary>
/// The ticket replica, fed through a real nats-server: TicketCreated inserts once; TicketUpdated applies whenever it
/// is newer than the replica (inserting it if missing), whatever order the stream delivers them in. One server per test (the class is its own fixture, started and
/// stopped around each test), so the service's consumers (which read from the stream's start) see only this test's messages.
/// </summary>
public sealed class TicketReplicaTests : OrdersAppFixture
{
    private static TicketCreatedV1 NewTicket() => new(DocumentIds.New(), 0, "Concert", 20m, DocumentIds.New());

    private static TicketUpdatedV1 Update(TicketCreatedV1 ticket, long version, string title, string? orderId = null) =>
        new(ticket.Id, version, title, ticket.Price + version, ticket.UserId, orderId, orderId is null ? TicketStatus.Available : TicketStatus.Reserved);

    private Task<TicketReplica> ReplicaAtAsync(string id, long version) =>
        App.WaitForValueAsync(async () => await App.Tickets.GetAsync(id) is { } r && r.Version == version ? r : null, $"ticket {id} at v{version}");

    [Fact]
    public async Task TicketCreated_InsertsTheReplica_SoTheTicketCanBeOrdered()
    {
        var ticket = NewTicket();

        await App.PublishAsync(ticket);

        var replica = await ReplicaAtAsync(ticket.Id, 0);
        Assert.Equal(new TicketReplica { Id = ticket.Id, Title = "Concert", Price = 20m, Version = 0 }, replica);
        var response = await App.CreateSignedInClient().PostAsJsonAsync("/api/orders", new { ticketId = ticket.Id });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task TicketCreated_Duplicate_IsHarmless_AndDoesNotRollBackAnUpdatedReplica()
    {
        var ticket = NewTicket();
        await App.PublishAsync(ticket);
        await App.PublishAsync(Update(ticket, 1, "Edited"));
        await ReplicaAtAsync(ticket.Id, 1);

        // Past the stream's duplicate window a replayed TicketCreated reaches the handler again.
        var duplicate = await App.PublishAsync(ticket, messageId: $"{ticket.MessageId}:replayed");
        await App.WaitHandledAsync<TicketCreatedV1>(duplicate);

        var replica = await App.Tickets.GetAsync(ticket.Id);
        Assert.Equal(("Edited", 1L), (replica!.Title, replica.Version));
    }

    [Fact]
    public async Task TicketUpdated_WhenAMiddleVersionNeverArrives_LaterVersionsStillApply()
    {
        var ticket = NewTicket();
        await App.PublishAsync(ticket);
        await ReplicaAtAsync(ticket.Id, 0);

        // v1 is lost (parked, say): v2 carries the whole ticket and applies over v0 at once.
        await App.PublishAsync(Update(ticket, 2, "Second edit"));
        var replica = await ReplicaAtAsync(ticket.Id, 2);
        Assert.Equal(("Second edit", 22m), (replica.Title, replica.Price));

        // When v1 turns up late (a replay), it is older than the replica and changes nothing; v3 still applies.
        var late = await App.PublishAsync(Update(ticket, 1, "First edit"));
        await App.WaitHandledAsync<TicketUpdatedV1>(late);
        Assert.Equal(("Second edit", 2L), ((await App.Tickets.GetAsync(ticket.Id))!.Title, (await App.Tickets.GetAsync(ticket.Id))!.Version));
        await App.PublishAsync(Update(ticket, 3, "Third edit"));
        Assert.Equal("Third edit", (await ReplicaAtAsync(ticket.Id, 3)).Title);
        Assert.Empty(await App.Events.ParkedAsync(TicketUpdatedV1.Subject));
    }

    [Fact]
    public async Task TicketUpdated_OlderVersion_IsADuplicate_AndChangesNothing()
    {
        var ticket = NewTicket();
        await App.PublishAsync(ticket);
        await App.PublishAsync(Update(ticket, 1, "First edit"));
        await App.PublishAsync(Update(ticket, 2, "Second edit"));
        await ReplicaAtAsync(ticket.Id, 2);

        var stale = await App.PublishAsync(Update(ticket, 1, "First edit"), messageId: "ticket.updated:replayed");
        await App.WaitHandledAsync<TicketUpdatedV1>(stale);

        Assert.Equal(("Second edit", 2L), ((await App.Tickets.GetAsync(ticket.Id))!.Title, (await App.Tickets.GetAsync(ticket.Id))!.Version));
    }

    [Fact]
    public async Task TicketUpdated_BeforeTicketCreated_InsertsTheReplica_AndTheLateCreationChangesNothing()
    {
        // Different subjects have different consumers, so an update can overtake the creation.
        var ticket = NewTicket();
        await App.PublishAsync(Update(ticket, 1, "Edited", orderId: DocumentIds.New()));
        var replica = await ReplicaAtAsync(ticket.Id, 1);
        Assert.Equal("Edited", replica.Title);

        var created = await App.PublishAsync(ticket);
        await App.WaitHandledAsync<TicketCreatedV1>(created);
        Assert.Equal(("Edited", 1L), ((await App.Tickets.GetAsync(ticket.Id))!.Title, (await App.Tickets.GetAsync(ticket.Id))!.Version));
    }
}
