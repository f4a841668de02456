using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Orders.Domain;
using Ticketing.Orders.Events;

namespace Ticketing.Orders.Tests.Events;

/// <summary>TicketCreated called directly on a real embedded store: it inserts the replica, and never rolls one back.</summary>
public sealed class TicketCreatedHandlerTests : IDisposable
{
    private readonly HandlerTestStore _store = new();

    public void Dispose() => _store.Dispose();

    private Task<HandlerOutcome> TicketCreated(TicketCreatedV1 @event) =>
        new TicketCreatedHandler(_store.Tickets).HandleAsync(@event, HandlerTestStore.Delivery(), CancellationToken.None);

    [Fact]
    public async Task TicketCreated_WhenTheTicketIsNew_InsertsTheReplicaAtVersion0()
    {
        var id = DocumentIds.New();

        Assert.Equal(HandlerOutcome.Ack, await TicketCreated(new TicketCreatedV1(id, 0, "Concert", 25.5m, DocumentIds.New())));

        Assert.Equal(new TicketReplica { Id = id, Title = "Concert", Price = 25.5m, Version = 0 }, await _store.Tickets.GetAsync(id));
    }

    [Fact]
    public async Task TicketCreated_WhenDeliveredTwice_AcksAndChangesNothing()
    {
        var created = new TicketCreatedV1(DocumentIds.New(), 0, "Concert", 20m, DocumentIds.New());
        await TicketCreated(created);

        Assert.Equal(HandlerOutcome.Ack, await TicketCreated(created));

        Assert.Equal(new TicketReplica { Id = created.Id, Title = "Concert", Price = 20m, Version = 0 }, await _store.Tickets.GetAsync(created.Id));
    }

    [Fact]
    public async Task TicketCreated_WhenANewerUpdateArrivedFirst_AcksAndKeepsTheNewerVersion()
    {
        var newer = await _store.AddTicketAsync(version: 2, title: "Concert (moved)", price: 30m);

        Assert.Equal(HandlerOutcome.Ack, await TicketCreated(new TicketCreatedV1(newer.Id, 0, "Concert", 20m, DocumentIds.New())));

        Assert.Equal(newer, await _store.Tickets.GetAsync(newer.Id));
    }
}
