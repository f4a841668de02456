using Ticketing.Common.Storage;
using Xunit;

namespace Ticketing.Common.Testing.Storage;

/// <summary>
/// Base of a store contract suite: write the tests once against <see cref="DatabaseAsync"/> as
/// <c>[SkippableFact]</c>s, then derive one concrete class per backend
/// (<c>: MyStoreContract&lt;EmbeddedStoreBackend&gt;</c>, <c>: MyStoreContract&lt;MongoStoreBackend&gt;</c>).
/// Every test gets a fresh database; on a backend that cannot run here the test is skipped with the reason.
/// </summary>
public abstract class StoreContractTests<TBackend> : IAsyncLifetime where TBackend : StoreBackend, new()
{
    private IDocumentDatabase? _database;

    protected static TBackend Backend { get; } = new();

    /// <summary>The service name the database is created for (its file or database name).</summary>
    protected virtual string ServiceName => "contract";

    /// <summary>This test's database; skips the test when the backend is unavailable here.</summary>
    protected async Task<IDocumentDatabase> DatabaseAsync()
    {
        Skip.If(Backend.UnavailableReason is not null, Backend.UnavailableReason);
        return _database ??= await Backend.CreateDatabaseAsync(ServiceName);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await Backend.DropDatabaseAsync(_database);
        }
    }
}
