using Ticketing.Common.Events;
using Ticketing.Common.Outbox;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Storage;
using Ticketing.Tickets.Data;
using Ticketing.Tickets.Domain;

namespace Ticketing.Tickets.Tests.Data;

/// <summary>
/// What the ticket store must do the same way on every backend: keep every field exactly, list available
/// tickets newest first in pages, and let exactly one of several writers holding the same version win.
/// Runs on the embedded store always and on MongoDB where one is available (skipped with the reason otherwise).
/// </summary>
public abstract class TicketStoreContract<TBackend> : StoreContractTests<TBackend> where TBackend : StoreBackend, new()
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 5, 1, 18, 30, 0, 250, TimeSpan.Zero).AddTicks(1234);

    protected override string ServiceName => "tickets";

    private async Task<(IDocumentCollection<Ticket> Collection, TicketStore Store)> StoreAsync()
    {
        var collection = (await DatabaseAsync()).GetCollection<Ticket>(TicketStore.CollectionName);
        await TicketStore.InitializeAsync(collection, CancellationToken.None);
        return (collection, new TicketStore(collection));
    }

    private static Ticket NewTicket(string title = "Concert", int minutes = 0) =>
        Ticket.Create(title, 25m, DocumentIds.New(), T0.AddMinutes(minutes));

    [SkippableFact]
    public async Task Add_ThenGet_RoundTripsEveryFieldExactly()
    {
        var (_, store) = await StoreAsync();
        var orderId = DocumentIds.New();
        var ticket = NewTicket()
            .Edit("Opera: Tosca", 999999.99m, T0)
            .Reserve(orderId, T0.AddSeconds(1))
            .RememberCancelled(DocumentIds.New(), DateTimeOffset.UtcNow);

        Assert.Equal(WriteResult.Ok, await store.AddAsync(ticket));
        var stored = await store.GetAsync(ticket.Id);

        Assert.NotNull(stored);
        Assert.Equal(
            (ticket.Id, ticket.Title, ticket.Price, ticket.UserId, ticket.Version, ticket.Revision, ticket.OrderId, ticket.Status, ticket.CreatedAt.UtcTicks),
            (stored.Id, stored.Title, stored.Price, stored.UserId, stored.Version, stored.Revision, stored.OrderId, stored.Status, stored.CreatedAt.UtcTicks));
        Assert.Equal(999999.99m, stored.Price);
        Assert.Equal(ticket.CancelledOrderIds, stored.CancelledOrderIds);
        Assert.Equal(ticket.Outbox, stored.Outbox);
        Assert.Equal(3, stored.Outbox.Length);
    }

    [SkippableFact]
    public async Task Add_AvailableTicket_ReadsBackWithoutAnOrder()
    {
        var (_, store) = await StoreAsync();
        var ticket = NewTicket();

        await store.AddAsync(ticket);
        var stored = (await store.GetAsync(ticket.Id))!;

        Assert.Null(stored.OrderId);
        Assert.Equal(TicketStatus.Available, stored.Status);
        Assert.Empty(stored.CancelledOrderIds);
    }

    [SkippableFact]
    public async Task Get_UnknownId_ReturnsNull()
    {
        var (_, store) = await StoreAsync();

        Assert.Null(await store.GetAsync(DocumentIds.New()));
    }

    [SkippableFact]
    public async Task ListAvailable_OnlyAvailable_NewestFirst_InPages()
    {
        var (_, store) = await StoreAsync();
        var tickets = Enumerable.Range(0, 6).Select(i => NewTicket($"t{i}", minutes: i)).ToList();
        tickets[4] = tickets[4].Reserve(DocumentIds.New(), T0);
        var buyer = DocumentIds.New();
        tickets[1] = tickets[1].Reserve(buyer, T0).MarkSold(buyer, T0);
        foreach (var ticket in tickets.OrderBy(_ => Guid.NewGuid())) // insertion order must not matter
        {
            await store.AddAsync(ticket);
        }

        Assert.Equal(["t5", "t3", "t2", "t0"], (await store.ListAvailableAsync(10, 0)).Select(t => t.Title));
        Assert.Equal(["t3", "t2"], (await store.ListAvailableAsync(2, 1)).Select(t => t.Title));
        Assert.Empty(await store.ListAvailableAsync(10, 4));
    }

    [SkippableFact]
    public async Task ListAvailable_UsesTheListIndex_AndKeepsItsKeyInStepWithTheStatus()
    {
        var (collection, store) = await StoreAsync();
        var ticket = NewTicket("Keyed");
        await store.AddAsync(ticket);
        Assert.StartsWith(TicketStore.AvailablePrefix, (await store.GetAsync(ticket.Id))!.ListKey, StringComparison.Ordinal);

        var orderId = DocumentIds.New();
        var reserved = ticket.Reserve(orderId, T0);
        Assert.Equal(WriteResult.Ok, await store.ReplaceAsync((await store.GetAsync(ticket.Id))!, reserved));
        Assert.Null((await store.GetAsync(ticket.Id))!.ListKey);
        Assert.Empty(await store.ListAvailableAsync(10, 0));

        Assert.Equal(WriteResult.Ok, await store.ReplaceAsync((await store.GetAsync(ticket.Id))!, reserved.Release(orderId, T0)));
        Assert.Equal([ticket.Id], (await store.ListAvailableAsync(10, 0)).Select(t => t.Id));
        Assert.Single(await collection.FindAsync(t => t.ListKey != null));
    }

    [SkippableFact]
    public async Task Initialize_GivesTicketsStoredBeforeTheListIndex_TheirKey()
    {
        var collection = (await DatabaseAsync()).GetCollection<Ticket>(TicketStore.CollectionName);
        var (older, newer, sold) = (NewTicket("Older", 0), NewTicket("Newer", 1), NewTicket("Sold", 2));
        var soldTo = DocumentIds.New();
        await collection.InsertAsync(older);   // written straight, without a key, as an earlier version stored them
        await collection.InsertAsync(newer);
        await collection.InsertAsync(sold.Reserve(soldTo, T0).MarkSold(soldTo, T0));

        await TicketStore.InitializeAsync(collection, CancellationToken.None);

        Assert.Equal([newer.Id, older.Id], (await new TicketStore(collection).ListAvailableAsync(10, 0)).Select(t => t.Id));
    }

    [SkippableFact]
    public async Task Replace_TwoWritersHoldingTheSameVersion_ExactlyOneWinsAndVersionsGo0To2()
    {
        var (_, store) = await StoreAsync();
        var ticket = NewTicket();
        await store.AddAsync(ticket);
        var first = (await store.GetAsync(ticket.Id))!;
        var second = (await store.GetAsync(ticket.Id))!;

        var winner = await store.ReplaceAsync(first, first.Edit("First writer", 30m, T0));
        var loser = await store.ReplaceAsync(second, second.Edit("Second writer", 40m, T0));

        Assert.Equal((WriteResult.Ok, WriteResult.Conflict), (winner, loser));
        var afterRace = (await store.GetAsync(ticket.Id))!;
        Assert.Equal(("First writer", 1L), (afterRace.Title, afterRace.Version));

        // The loser reads again and writes on top of the winner.
        Assert.Equal(WriteResult.Ok, await store.ReplaceAsync(afterRace, afterRace.Edit("Second writer", 40m, T0)));
        var final = (await store.GetAsync(ticket.Id))!;
        Assert.Equal(("Second writer", 2L), (final.Title, final.Version));
        Assert.Equal([0L, 1L, 2L], final.Outbox.Select(m => EventVersion(m)));
    }

    [SkippableFact]
    public async Task Replace_ManyConcurrentReservations_ExactlyOneWins()
    {
        var (_, store) = await StoreAsync();
        var ticket = NewTicket();
        await store.AddAsync(ticket);
        var orders = Enumerable.Range(0, 16).Select(_ => DocumentIds.New()).ToList();

        var results = await Task.WhenAll(orders.Select(orderId => Task.Run(() => store.ReplaceAsync(ticket, ticket.Reserve(orderId, T0)))));

        Assert.Single(results, r => r == WriteResult.Ok);
        Assert.Equal(orders.Count - 1, results.Count(r => r == WriteResult.Conflict));
        var stored = (await store.GetAsync(ticket.Id))!;
        Assert.Equal(orders[Array.IndexOf(results, WriteResult.Ok)], stored.OrderId);
        Assert.Equal(1L, stored.Version);
    }

    [SkippableFact]
    public async Task Replace_AfterABookkeepingWrite_ByAWriterThatReadBeforeIt_IsAConflict()
    {
        var (_, store) = await StoreAsync();
        var ticket = NewTicket();
        await store.AddAsync(ticket);
        var cancelledOrder = DocumentIds.New();
        Assert.Equal(WriteResult.Ok, await store.ReplaceAsync(ticket, ticket.RememberCancelled(cancelledOrder, DateTimeOffset.UtcNow)));

        var stale = await store.ReplaceAsync(ticket, ticket.Edit("Stale", 1m, T0)); // same version, older revision

        Assert.Equal(WriteResult.Conflict, stale);
        var stored = (await store.GetAsync(ticket.Id))!;
        Assert.Equal(("Concert", 0L), (stored.Title, stored.Version));
        Assert.True(stored.WasCancelled(cancelledOrder));
    }

    [SkippableFact]
    public async Task Replace_UnknownTicket_ReturnsNotFound()
    {
        var (_, store) = await StoreAsync();
        var ticket = NewTicket();

        Assert.Equal(WriteResult.NotFound, await store.ReplaceAsync(ticket, ticket.Edit("x", 1m, T0)));
    }

    [SkippableFact]
    public async Task Initialize_IsIdempotent()
    {
        var (collection, store) = await StoreAsync();

        await TicketStore.InitializeAsync(collection, CancellationToken.None);

        await store.AddAsync(NewTicket());
        Assert.Single(await store.ListAvailableAsync(10, 0));
    }

    [SkippableFact]
    public async Task Outbox_ListsTheTicketsPendingEvents_InOrder()
    {
        var database = await DatabaseAsync();
        var (_, store) = await StoreAsync();
        var ticket = NewTicket().Edit("Edited", 30m, T0.AddSeconds(1));
        await store.AddAsync(ticket);

        var pending = Assert.Single(await database.GetOutboxStore<Ticket>(TicketStore.CollectionName).FindPendingAsync(10));

        Assert.Equal(ticket.Id, pending.DocumentId);
        Assert.Equal([$"ticket.created.v1:{ticket.Id}:v0", $"ticket.updated.v1:{ticket.Id}:v1"], pending.Messages.Select(m => m.MessageId));
    }

    private static long EventVersion(OutboxMessage message) =>
        System.Text.Json.JsonDocument.Parse(message.Payload).RootElement.GetProperty("version").GetInt64();
}

public sealed class TicketStoreOnEmbedded : TicketStoreContract<EmbeddedStoreBackend>;

public sealed class TicketStoreOnMongo : TicketStoreContract<MongoStoreBackend>;
