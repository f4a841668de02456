using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Tests.Domain;

public sealed class OrderReplicaRulesTests
{
    private static OrderCreatedV1 Created() =>
        new(DocumentIds.New(), 0, OrderStatus.Created, DocumentIds.New(), DateTimeOffset.UtcNow, new OrderTicketV1(DocumentIds.New(), 5m));

    [Fact]
    public void WithStatus_AppliesOnlyANewerVersion()
    {
        var replica = OrderReplica.Created(Created());

        var cancelled = replica.WithStatus(2, OrderStatus.Cancelled);

        Assert.Equal((2L, OrderStatus.Cancelled), (cancelled.Version, cancelled.Status));
        Assert.Same(cancelled, cancelled.WithStatus(2, OrderStatus.Complete));
        Assert.Same(cancelled, cancelled.WithStatus(1, OrderStatus.Complete));
    }

    [Fact]
    public void WithDetailsOf_FillsInTheBuyer_KeepingANewerStatus()
    {
        var created = Created();
        var early = OrderReplica.StatusOnly(created.Id, 1, OrderStatus.Cancelled, created.Ticket.Id);

        var known = early.WithDetailsOf(created);

        Assert.Equal((1L, OrderStatus.Cancelled, created.UserId, (decimal?)5m, true), (known.Version, known.Status, known.UserId, known.Price, known.IsKnown()));
        Assert.Same(known, known.WithDetailsOf(created));
    }
}
