using Ticketing.Common.Events;
using Ticketing.Common.Outbox;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Storage;

namespace Ticketing.Common.Tests.Storage;

public sealed record Gadget : IOutboxDocument
{
    public required string Id { get; init; }
    public long Version { get; init; }
    public required string Name { get; init; }
    public decimal Price { get; init; }
    public TicketStatus Status { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? HeldBy { get; init; }
    public OutboxMessage[] Outbox { get; init; } = [];
}

/// <summary>
/// What every storage backend must do the same way. Runs against the embedded store always and against
/// MongoDB where one is available (otherwise those tests are skipped with the reason).
/// </summary>
public abstract class DocumentCollectionContract<TBackend> : StoreContractTests<TBackend> where TBackend : StoreBackend, new()
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero).AddTicks(4567);

    private async Task<IDocumentCollection<Gadget>> GadgetsAsync() =>
        (await DatabaseAsync()).GetCollection<Gadget>("gadgets");

    private static Gadget NewGadget(string name = "g", decimal price = 9.99m, int minutes = 0) => new()
    {
        Id = DocumentIds.New(),
        Name = name,
        Price = price,
        Status = TicketStatus.Reserved,
        CreatedAt = T0.AddMinutes(minutes),
    };

    [SkippableFact]
    public async Task Insert_ThenGet_RoundTripsEveryFieldExactly()
    {
        var gadgets = await GadgetsAsync();
        var gadget = NewGadget("  spaces kept  ", 1234567.89m) with
        {
            HeldBy = "someone",
            Outbox = [OutboxMessage.Create(new TicketCreatedV1("t", 0, "x", 1.5m, "u"), T0)],
        };

        Assert.Equal(WriteResult.Ok, await gadgets.InsertAsync(gadget));
        var stored = await gadgets.GetAsync(gadget.Id);

        Assert.NotNull(stored);
        Assert.Equal(gadget with { Outbox = [] }, stored with { Outbox = [] });
        Assert.Equal(gadget.CreatedAt.UtcTicks, stored.CreatedAt.UtcTicks);
        Assert.Equal(gadget.Outbox, stored.Outbox);
    }

    [SkippableFact]
    public async Task Get_UnknownId_ReturnsNull()
    {
        var gadgets = await GadgetsAsync();
        Assert.Null(await gadgets.GetAsync(DocumentIds.New()));
    }

    [SkippableFact]
    public async Task Insert_SameIdTwice_ReturnsDuplicate_AndKeepsTheFirst()
    {
        var gadgets = await GadgetsAsync();
        var gadget = NewGadget("first");
        await gadgets.InsertAsync(gadget);

        Assert.Equal(WriteResult.Duplicate, await gadgets.InsertAsync(gadget with { Name = "second" }));
        Assert.Equal("first", (await gadgets.GetAsync(gadget.Id))!.Name);
    }

    [SkippableFact]
    public async Task UniqueIndex_RefusesASecondDocumentWithTheSameValue()
    {
        var gadgets = await GadgetsAsync();
        await gadgets.EnsureIndexAsync("name_unique", g => g.Name, unique: true);
        await gadgets.EnsureIndexAsync("name_unique", g => g.Name, unique: true); // idempotent

        Assert.Equal(WriteResult.Ok, await gadgets.InsertAsync(NewGadget("taken")));
        Assert.Equal(WriteResult.Duplicate, await gadgets.InsertAsync(NewGadget("taken")));
        Assert.Single(await gadgets.FindAsync(g => g.Name == "taken"));
    }

    [SkippableFact]
    public async Task Replace_WhenTheStoredDocumentMatches_Writes()
    {
        var gadgets = await GadgetsAsync();
        var gadget = NewGadget();
        await gadgets.InsertAsync(gadget);

        var result = await gadgets.ReplaceAsync(gadget with { Name = "renamed", Version = 1 }, g => g.Version == 0);

        Assert.Equal(WriteResult.Ok, result);
        Assert.Equal(("renamed", 1L), ((await gadgets.GetAsync(gadget.Id))!.Name, (await gadgets.GetAsync(gadget.Id))!.Version));
    }

    [SkippableFact]
    public async Task Replace_FromAStaleVersion_ReturnsConflict_AndNeverOverwrites()
    {
        var gadgets = await GadgetsAsync();
        var gadget = NewGadget();
        await gadgets.InsertAsync(gadget);
        await gadgets.ReplaceAsync(gadget with { Name = "winner", Version = 1 }, g => g.Version == 0);

        var stale = await gadgets.ReplaceAsync(gadget with { Name = "loser", Version = 1 }, g => g.Version == 0);

        Assert.Equal(WriteResult.Conflict, stale);
        Assert.Equal("winner", (await gadgets.GetAsync(gadget.Id))!.Name);
    }

    [SkippableFact]
    public async Task Replace_UnknownId_ReturnsNotFound()
    {
        var gadgets = await GadgetsAsync();
        Assert.Equal(WriteResult.NotFound, await gadgets.ReplaceAsync(NewGadget(), g => g.Version == 0));
    }

    [SkippableFact]
    public async Task Replace_CanCompareOnANullableField_ForAtomicReservations()
    {
        var gadgets = await GadgetsAsync();
        var gadget = NewGadget();
        await gadgets.InsertAsync(gadget);

        var buyers = Enumerable.Range(0, 20).Select(i => $"buyer{i}").ToList();
        var results = await Task.WhenAll(buyers.Select(buyer => Task.Run(() =>
            gadgets.ReplaceAsync(gadget with { HeldBy = buyer }, g => g.HeldBy == null))));

        Assert.Single(results, r => r == WriteResult.Ok);
        Assert.Contains((await gadgets.GetAsync(gadget.Id))!.HeldBy, buyers);
    }

    [SkippableFact]
    public async Task ConcurrentCompareAndSet_LosesNoUpdate()
    {
        var gadgets = await GadgetsAsync();
        var gadget = NewGadget();
        await gadgets.InsertAsync(gadget);
        const int writers = 8, incrementsEach = 25;

        async Task IncrementAsync()
        {
            for (var done = 0; done < incrementsEach;)
            {
                var current = (await gadgets.GetAsync(gadget.Id))!;
                var next = current with { Version = current.Version + 1, Price = current.Price + 1 };
                var expected = current.Version;
                if (await gadgets.ReplaceAsync(next, g => g.Version == expected) == WriteResult.Ok)
                {
                    done++;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(IncrementAsync)));

        var final = (await gadgets.GetAsync(gadget.Id))!;
        Assert.Equal(writers * incrementsEach, final.Version);
        Assert.Equal(gadget.Price + writers * incrementsEach, final.Price);
    }

    [SkippableFact]
    public async Task ReadsDuringWrites_NeverFail_AndSeeWholeDocuments()
    {
        var database = await DatabaseAsync();
        var gadgets = database.GetCollection<Gadget>("gadgets");
        var outbox = database.GetOutboxStore<Gadget>("gadgets");
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var gadget = NewGadget($"g{i}");
            await gadgets.InsertAsync(gadget);
            ids.Add(gadget.Id);
        }

        // Every write keeps Name's length equal to Version, so a reader can tell a whole document from a torn one.
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            for (var n = 0; n < 150; n++)
            {
                var current = (await gadgets.GetAsync(ids[(n + w) % ids.Count]))!;
                var version = current.Version + 1;
                var next = current with
                {
                    Version = version,
                    Name = new string('x', (int)version),
                    Outbox = [OutboxMessage.Create(new TicketCreatedV1(current.Id, version, "t", 1m, "u"), T0)],
                };
                await gadgets.ReplaceAsync(next, g => g.Version == current.Version);
                await gadgets.InsertAsync(NewGadget($"w{w}-{n}"));
            }
        })).ToList();
        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(async () =>
        {
            for (var n = 0; n < 150; n++)
            {
                var gadget = (await gadgets.GetAsync(ids[(n + r) % ids.Count]))!;
                Assert.True(gadget.Version == 0 || gadget.Name.Length == gadget.Version, "a read saw half a write");
                Assert.NotEmpty(await gadgets.FindAsync(g => g.Price > 0, new FindOptions<Gadget> { OrderBy = g => g.CreatedAt, Limit = 50 }));
                await outbox.FindPendingAsync(10);
            }
        })).ToList();

        await Task.WhenAll(writers.Concat(readers));
    }

    [SkippableFact]
    public async Task ReadingACollection_WhileItsFirstDocumentIsWritten_NeverFails()
    {
        // LiteDB 5.0.21 can fail a read that runs while another thread writes, most often while the write
        // creates the collection ("page type must be collection page", litedb-org/LiteDB#2792): a service's first
        // event and its first request race exactly like this. The embedded store serialises every operation.
        var database = await DatabaseAsync();
        for (var round = 0; round < 40; round++)
        {
            var fresh = database.GetCollection<Gadget>($"fresh{round}");
            var outbox = database.GetOutboxStore<Gadget>($"fresh{round}");
            var gadget = NewGadget();
            using var go = new ManualResetEventSlim();
            var write = Task.Run(async () =>
            {
                go.Wait();
                return await fresh.InsertAsync(gadget);
            });
            var reads = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
            {
                go.Wait();
                for (var i = 0; i < 20; i++)
                {
                    await fresh.GetAsync(gadget.Id);
                    await fresh.FindAsync(g => g.Price > 0);
                    await outbox.FindPendingAsync(5);
                }
            })).ToList();
            go.Set();

            Assert.Equal(WriteResult.Ok, await write);
            await Task.WhenAll(reads);
            Assert.NotNull(await fresh.GetAsync(gadget.Id));
        }
    }

    [SkippableFact]
    public async Task Find_FiltersSortsAndPages()
    {
        var gadgets = await GadgetsAsync();
        for (var i = 0; i < 10; i++)
        {
            await gadgets.InsertAsync(NewGadget($"n{i}", i, minutes: i) with { Status = i % 2 == 0 ? TicketStatus.Available : TicketStatus.Sold });
        }

        var page = await gadgets.FindAsync(
            g => g.Status == TicketStatus.Available,
            new FindOptions<Gadget> { OrderBy = g => g.CreatedAt, Descending = true, Skip = 1, Limit = 2 });

        Assert.Equal(["n6", "n4"], page.Select(g => g.Name));
        var held = await gadgets.FindAsync(g => g.HeldBy == null && g.Price >= 8);
        Assert.Equal(["n8", "n9"], held.Select(g => g.Name).Order());
    }

    [SkippableFact]
    public async Task Find_AfterAKey_PagesByKeyset_InEitherDirection_WithoutRepeatsWhileDocumentsArrive()
    {
        var gadgets = await GadgetsAsync();
        await gadgets.EnsureIndexAsync("name", g => g.Name, unique: false);
        foreach (var name in new[] { "b", "d", "f", "h" })
        {
            await gadgets.InsertAsync(NewGadget(name));
        }

        async Task<string[]> PageAsync(string? after, bool descending) =>
            [.. (await gadgets.FindAsync(g => g.Name != null, new FindOptions<Gadget> { OrderBy = g => g.Name, Descending = descending, After = after, Limit = 2 })).Select(g => g.Name)];

        Assert.Equal(["h", "f"], await PageAsync(null, descending: true));
        await gadgets.InsertAsync(NewGadget("z")); // a newer one arrives at the head: the next page is unaffected
        Assert.Equal(["d", "b"], await PageAsync("f", descending: true));
        Assert.Equal(["f", "h"], await PageAsync("d", descending: false));
        Assert.Empty(await PageAsync("b", descending: true));
    }

    [SkippableFact]
    public async Task Outbox_ListsPendingDocumentsOldestFirst_ByTheirOldestEvent_AndOnlyThose()
    {
        var database = await DatabaseAsync();
        var gadgets = database.GetCollection<Gadget>("gadgets");
        var outbox = database.GetOutboxStore<Gadget>("gadgets");
        Gadget WithEventAt(string name, int minutes) => NewGadget(name) with
        {
            Outbox = [OutboxMessage.Create(new TicketCreatedV1(DocumentIds.New(), 0, name, 1m, "u"), T0.AddMinutes(minutes))],
        };

        var newest = WithEventAt("newest", 30);
        var oldest = WithEventAt("oldest", 1);
        var middle = WithEventAt("middle", 10);
        foreach (var gadget in new[] { newest, oldest, middle })
        {
            Assert.Equal(WriteResult.Ok, await gadgets.InsertAsync(gadget));
        }

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(WriteResult.Ok, await gadgets.InsertAsync(NewGadget($"quiet {i}")));
        }

        Assert.Equal(["oldest", "middle"], (await outbox.FindPendingAsync(2)).Select(NameOf));
        Assert.Equal(3, (await outbox.FindPendingAsync(10)).Count);

        // A replace that empties the outbox takes the document out of the relay's view; one that adds events brings it back.
        Assert.Equal(WriteResult.Ok, await gadgets.ReplaceAsync(oldest with { Outbox = [], Version = 1 }, g => g.Version == 0));
        Assert.Equal(["middle", "newest"], (await outbox.FindPendingAsync(10)).Select(NameOf));
        await outbox.RemovePendingAsync(middle.Id, [middle.Outbox[0].MessageId]);
        Assert.Equal(["newest"], (await outbox.FindPendingAsync(10)).Select(NameOf));

        string NameOf(PendingEvents pending) =>
            new[] { newest, oldest, middle }.Single(g => g.Id == pending.DocumentId).Name;
    }

    [SkippableFact]
    public async Task Outbox_ListsPendingEvents_AndRemovesOnlyThePublishedOnes()
    {
        var database = await DatabaseAsync();
        var gadgets = database.GetCollection<Gadget>("gadgets");
        var outbox = database.GetOutboxStore<Gadget>("gadgets");
        var first = OutboxMessage.Create(new TicketCreatedV1("t", 0, "x", 1m, "u"), T0);
        var second = OutboxMessage.Create(new TicketUpdatedV1("t", 1, "y", 1m, "u", null, TicketStatus.Available), T0.AddSeconds(1));
        var pendingGadget = NewGadget("pending") with { Outbox = [first, second] };
        await gadgets.InsertAsync(pendingGadget);
        await gadgets.InsertAsync(NewGadget("clean"));

        var pending = await outbox.FindPendingAsync(10);

        var entry = Assert.Single(pending);
        Assert.Equal(pendingGadget.Id, entry.DocumentId);
        Assert.Equal([first, second], entry.Messages);

        await outbox.RemovePendingAsync(pendingGadget.Id, [first.MessageId]);

        var stored = (await gadgets.GetAsync(pendingGadget.Id))!;
        Assert.Equal([second], stored.Outbox);
        Assert.Equal("pending", stored.Name);
        await outbox.RemovePendingAsync(pendingGadget.Id, [second.MessageId]);
        Assert.Empty(await outbox.FindPendingAsync(10));
    }
}

public sealed class EmbeddedDocumentCollectionTests : DocumentCollectionContract<EmbeddedStoreBackend>;

public sealed class MongoDocumentCollectionTests : DocumentCollectionContract<MongoStoreBackend>;
