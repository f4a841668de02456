using Microsoft.Extensions.Logging.Abstractions;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Orders.Domain;
using Ticketing.Orders.Events;

namespace Ticketing.Orders.Tests.Events;

/// <summary>
/// TicketUpdated called directly on a real embedded store. The event carries the whole ticket, so any newer version
/// applies (over gaps: a lost middle version never stalls the replica), an older or equal one is acknowledged and
/// changes nothing, and a ticket the replica does not have yet is inserted.
/// </summary>
public sealed class TicketUpdatedHandlerTests : IDisposable
{
    private readonly HandlerTestStore _store = new();

    public void Dispose() => _store.Dispose();

    private Task<HandlerOutcome> TicketUpdated(string id, long version, string title = "Concert (moved)", decimal price = 30m) =>
        new TicketUpdatedHandler(_store.Tickets, NullLogger<TicketUpdatedHandler>.Instance).HandleAsync(
            new TicketUpdatedV1(id, version, title, price, DocumentIds.New(), null, TicketStatus.Available),
            HandlerTestStore.Delivery(), CancellationToken.None);

    [Theory]
    [InlineData(1)] // the next version
    [InlineData(4)] // over a gap: versions 1 to 3 were lost or are still on their way
    public async Task TicketUpdated_WhenNewer_ReplacesTheReplica(long version)
    {
        var ticket = await _store.AddTicketAsync(version: 0);

        Assert.Equal(HandlerOutcome.Ack, await TicketUpdated(ticket.Id, version, "Concert (moved)", 30m));

        Assert.Equal(new TicketReplica { Id = ticket.Id, Title = "Concert (moved)", Price = 30m, Version = version }, await _store.Tickets.GetAsync(ticket.Id));
    }

    [Theory]
    [InlineData(1)] // older: arrived after a newer one
    [InlineData(2)] // equal: a redelivery
    public async Task TicketUpdated_WhenOlderOrEqual_AcksAndChangesNothing(long version)
    {
        var ticket = await _store.AddTicketAsync(version: 2, title: "Concert", price: 20m);

        Assert.Equal(HandlerOutcome.Ack, await TicketUpdated(ticket.Id, version, "Stale", 99m));

        Assert.Equal(ticket, await _store.Tickets.GetAsync(ticket.Id));
    }

    [Fact]
    public async Task TicketUpdated_WhenTheReplicaIsMissing_InsertsIt()
    {
        var id = DocumentIds.New();

        Assert.Equal(HandlerOutcome.Ack, await TicketUpdated(id, 3, "Concert", 20m));

        Assert.Equal(new TicketReplica { Id = id, Title = "Concert", Price = 20m, Version = 3 }, await _store.Tickets.GetAsync(id));
    }

    [Fact]
    public async Task TicketUpdated_WhenApplyingTwoVersionsInEitherOrder_EndsAtTheNewest()
    {
        var ticket = await _store.AddTicketAsync(version: 0);

        await TicketUpdated(ticket.Id, 2, "Second", 22m);
        await TicketUpdated(ticket.Id, 1, "First", 21m);

        Assert.Equal(new TicketReplica { Id = ticket.Id, Title = "Second", Price = 22m, Version = 2 }, await _store.Tickets.GetAsync(ticket.Id));
    }
}
