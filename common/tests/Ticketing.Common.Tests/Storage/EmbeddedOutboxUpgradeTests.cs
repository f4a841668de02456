using LiteDB;
using Ticketing.Common.Storage.Embedded;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Tests.Outbox;

namespace Ticketing.Common.Tests.Storage;

/// <summary>A data file written before outbox documents carried <c>OutboxSince</c> still has its pending events relayed.</summary>
public sealed class EmbeddedOutboxUpgradeTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task PendingEvents_WrittenBeforeTheIndexedField_AreStillFound_AndRemoved()
    {
        var file = Path.Combine(_data.Path, "widgets.db");
        var occurred = DateTimeOffset.UtcNow.AddMinutes(-3);
        using (var old = new LiteDatabase(new ConnectionString { Filename = file, Connection = ConnectionType.Direct }))
        {
            // The shape the earlier version stored: the outbox inside the document, no top-level OutboxSince.
            old.GetCollection("widgets").Insert(new BsonDocument
            {
                ["_id"] = "legacy",
                ["Version"] = 0L,
                ["Name"] = "written by the earlier version",
                ["Outbox"] = new BsonArray(new BsonValue[]
                {
                    new BsonDocument
                    {
                        ["MessageId"] = "ticket:legacy:v0",
                        ["Subject"] = "ticketing.ticket.created.v1",
                        ["SchemaVersion"] = 1,
                        ["Payload"] = "{}",
                        ["OccurredAt"] = occurred.UtcTicks,
                    },
                }),
            });
        }

        using var database = new EmbeddedDocumentDatabase(file);
        var outbox = database.GetOutboxStore<Widget>("widgets");

        var pending = Assert.Single(await outbox.FindPendingAsync(10));
        Assert.Equal("legacy", pending.DocumentId);
        Assert.Equal(occurred, pending.Messages[0].OccurredAt);

        await outbox.RemovePendingAsync("legacy", ["ticket:legacy:v0"]);
        Assert.Empty(await outbox.FindPendingAsync(10));
        Assert.Equal("written by the earlier version", (await database.GetCollection<Widget>("widgets").GetAsync("legacy"))!.Name);
    }
}
