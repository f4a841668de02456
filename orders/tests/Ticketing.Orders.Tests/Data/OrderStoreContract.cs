using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Storage;
using Ticketing.Orders.Data;
using Ticketing.Orders.Domain;

namespace Ticketing.Orders.Tests.Data;

/// <summary>
/// What orders relies on from its store, the same on every backend: the embedded store always, MongoDB where one
/// is available (otherwise those tests are skipped with the reason). Above all: of any number of concurrent
/// orders for one ticket exactly one is stored.
/// </summary>
public abstract class OrderStoreContract<TBackend> : StoreContractTests<TBackend> where TBackend : StoreBackend, new()
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    protected override string ServiceName => "orders";

    private async Task<(OrderStore Orders, TicketReplicaStore Tickets)> StoresAsync()
    {
        var database = await DatabaseAsync();
        var orders = database.GetCollection<Order>(OrderStore.CollectionName);
        await OrderStore.InitializeAsync(orders, CancellationToken.None);
        return (new OrderStore(orders), new TicketReplicaStore(database.GetCollection<TicketReplica>(TicketReplicaStore.CollectionName)));
    }

    private static TicketReplica NewTicket(decimal price = 20m) =>
        new() { Id = DocumentIds.New(), Title = "Concert", Price = price, Version = 0 };

    [SkippableFact]
    public async Task Insert_50ConcurrentOrdersForOneTicket_StoresExactlyOne()
    {
        var (orders, _) = await StoresAsync();
        var ticket = NewTicket();
        var attempts = Enumerable.Range(0, 50).Select(_ => Order.Create(DocumentIds.New(), ticket, T0, Window)).ToList();

        // No pre-check here: every insert races, and only the unique reservation index can stop 49 of them.
        var results = await Task.WhenAll(attempts.Select(order => Task.Run(() => orders.AddAsync(order))));

        Assert.Equal(1, results.Count(r => r == WriteResult.Ok));
        Assert.Equal(49, results.Count(r => r == WriteResult.Duplicate));
        var stored = Assert.Single(await orders.ListForTicketAsync(ticket.Id));
        Assert.Equal(attempts[Array.IndexOf(results, WriteResult.Ok)].Id, stored.Id);
        Assert.True(await orders.IsTicketHeldAsync(ticket.Id));
    }

    [SkippableFact]
    public async Task CancelledOrder_ReleasesTheTicket_ForTheNextBuyer()
    {
        var (orders, _) = await StoresAsync();
        var ticket = NewTicket();
        var first = Order.Create(DocumentIds.New(), ticket, T0, Window);
        await orders.AddAsync(first);

        Assert.Equal(WriteResult.Ok, await orders.ReplaceAsync(first, first.Cancel(T0)));

        Assert.False(await orders.IsTicketHeldAsync(ticket.Id));
        var second = Order.Create(DocumentIds.New(), ticket, T0, Window);
        Assert.Equal(WriteResult.Ok, await orders.AddAsync(second));
        Assert.Equal(WriteResult.Duplicate, await orders.AddAsync(Order.Create(DocumentIds.New(), ticket, T0, Window)));
        Assert.Equal(2, (await orders.ListForTicketAsync(ticket.Id)).Count);
    }

    [SkippableFact]
    public async Task CompletedOrder_KeepsTheTicketHeld()
    {
        var (orders, _) = await StoresAsync();
        var ticket = NewTicket();
        var order = Order.Create(DocumentIds.New(), ticket, T0, Window);
        await orders.AddAsync(order);
        await orders.ReplaceAsync(order, order.Complete("payment", T0));

        Assert.True(await orders.IsTicketHeldAsync(ticket.Id));
        Assert.Equal(WriteResult.Duplicate, await orders.AddAsync(Order.Create(DocumentIds.New(), ticket, T0, Window)));
    }

    [SkippableFact]
    public async Task Save_FromAStaleVersion_Conflicts_AndKeepsTheWinner()
    {
        var (orders, _) = await StoresAsync();
        var order = Order.Create(DocumentIds.New(), NewTicket(), T0, Window);
        await orders.AddAsync(order);
        Assert.Equal(WriteResult.Ok, await orders.ReplaceAsync(order, order.Complete("payment", T0)));

        // Expiry decided on the version it read before the payment landed.
        var stale = await orders.ReplaceAsync(order, order.Cancel(T0));

        Assert.Equal(WriteResult.Conflict, stale);
        Assert.Equal(OrderStatus.Complete, (await orders.GetAsync(order.Id))!.Status);
    }

    [SkippableFact]
    public async Task ForUser_ReturnsOnlyThatUsersOrders_InTheOrderTheyWerePlaced()
    {
        var (orders, _) = await StoresAsync();
        var (me, someoneElse) = (DocumentIds.New(), DocumentIds.New());
        var placed = new List<Order>();
        for (var i = 0; i < 4; i++)
        {
            // Two pairs share a timestamp: placing order still decides.
            var order = Order.Create(me, NewTicket(), T0.AddSeconds(i / 2), Window, slot: i);
            placed.Add(order);
            await orders.AddAsync(order with { Outbox = [] });
            await orders.AddAsync(Order.Create(someoneElse, NewTicket(), T0.AddSeconds(i / 2), Window));
        }

        var mine = await orders.ListForUserAsync(me, 500, 0);

        Assert.Equal(placed.Select(o => o.Id), mine.Select(o => o.Id));
        Assert.Empty(await orders.ListForUserAsync(DocumentIds.New(), 500, 0));
    }

    [SkippableFact]
    public async Task ListForUser_ReturnsOnePage_AndOrdersStoredBeforeTheListIndexGetTheirKeyAtStart()
    {
        var database = await DatabaseAsync();
        var collection = database.GetCollection<Order>(OrderStore.CollectionName);
        var me = DocumentIds.New();
        var placed = new List<Order>();
        for (var i = 0; i < 5; i++)
        {
            var order = Order.Create(me, NewTicket(), T0.AddSeconds(i), Window) with { Outbox = [], PendingSlot = null };
            placed.Add(order);
            await collection.InsertAsync(order); // without the keys, as an earlier version stored them
        }

        await OrderStore.InitializeAsync(collection, CancellationToken.None);
        var orders = new OrderStore(collection);

        Assert.Equal(placed.Take(2).Select(o => o.Id), (await orders.ListForUserAsync(me, 2, 0)).Select(o => o.Id));
        Assert.Equal(placed.Skip(2).Take(2).Select(o => o.Id), (await orders.ListForUserAsync(me, 2, 2)).Select(o => o.Id));
        Assert.Equal([placed[4].Id], (await orders.ListForUserAsync(me, 2, 4)).Select(o => o.Id));
        Assert.Empty(await orders.ListForUserAsync(me[..^1], 10, 0)); // a prefix of the user id is another user
        Assert.Empty(await orders.PendingSlotsAsync(me, 5)); // the legacy pending orders hold slots outside the user's five
    }

    [SkippableFact]
    public async Task PendingSlot_IsUnique_AndFreedWhenTheOrderIsCancelledOrCompleted()
    {
        var (orders, _) = await StoresAsync();
        var me = DocumentIds.New();
        var first = Order.Create(me, NewTicket(), T0, Window, slot: 0);
        Assert.Equal(WriteResult.Ok, await orders.AddAsync(first));
        Assert.Equal(WriteResult.Duplicate, await orders.AddAsync(Order.Create(me, NewTicket(), T0, Window, slot: 0)));
        var second = Order.Create(me, NewTicket(), T0, Window, slot: 1);
        Assert.Equal(WriteResult.Ok, await orders.AddAsync(second));
        Assert.Equal([Order.SlotKey(me, 0), Order.SlotKey(me, 1)], await orders.PendingSlotsAsync(me, 5));

        Assert.Equal(WriteResult.Ok, await orders.ReplaceAsync(first, first.Cancel(T0)));
        Assert.Equal(WriteResult.Ok, await orders.ReplaceAsync(second, second.Complete("payment", T0)));

        Assert.Empty(await orders.PendingSlotsAsync(me, 5));
        Assert.Equal(WriteResult.Ok, await orders.AddAsync(Order.Create(me, NewTicket(), T0, Window, slot: 0)));
    }

    [SkippableFact]
    public async Task Order_RoundTripsEveryField()
    {
        var (orders, _) = await StoresAsync();
        var order = Order.Create(DocumentIds.New(), NewTicket(1234.56m), T0, Window);
        var cancelled = order.Cancel(T0.AddMinutes(1));
        var refunded = cancelled.RequestRefund(new PaymentCreatedV1("pay1", order.Id, "pi_1"), T0.AddMinutes(2));
        await orders.AddAsync(refunded);

        var stored = (await orders.GetAsync(order.Id))!;

        // Stored as written, plus the list key the store keeps.
        Assert.Equal(OrderStore.WithListKey(refunded) with { Outbox = [], RefundedPaymentIds = [] }, stored with { Outbox = [], RefundedPaymentIds = [] });
        Assert.Equal(["pay1"], stored.RefundedPaymentIds);
        Assert.Equal(refunded.Outbox, stored.Outbox);
        Assert.Equal(T0.UtcTicks + Window.Ticks, stored.ExpiresAt.UtcTicks);
    }

    [SkippableFact]
    public async Task TicketReplica_Replace_WritesOnlyOverTheVersionItWasReadAt()
    {
        var (_, tickets) = await StoresAsync();
        var ticket = NewTicket();
        Assert.Equal(WriteResult.Ok, await tickets.AddAsync(ticket));
        Assert.Equal(WriteResult.Duplicate, await tickets.AddAsync(ticket with { Title = "again" }));

        // A newer version may skip versions (v0 -> v2); a writer that read a stale version changes nothing.
        Assert.Equal(WriteResult.Ok, await tickets.ReplaceAsync(ticket, ticket with { Title = "v2", Version = 2 }));
        Assert.Equal(WriteResult.Conflict, await tickets.ReplaceAsync(ticket, ticket with { Title = "v1", Version = 1 }));
        var neverAdded = NewTicket();
        Assert.Equal(WriteResult.NotFound, await tickets.ReplaceAsync(neverAdded, neverAdded with { Version = 1 }));

        Assert.Equal(ticket with { Title = "v2", Version = 2 }, await tickets.GetAsync(ticket.Id));
    }
}

public sealed class OrderStoreOnEmbedded : OrderStoreContract<EmbeddedStoreBackend>;

public sealed class OrderStoreOnMongo : OrderStoreContract<MongoStoreBackend>;
