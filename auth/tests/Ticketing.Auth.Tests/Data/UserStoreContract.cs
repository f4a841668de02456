using Ticketing.Auth.Data;
using Ticketing.Auth.Domain;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Storage;

namespace Ticketing.Auth.Tests.Data;

/// <summary>
/// What the users store must do on every backend: the embedded store always, MongoDB where one is available
/// (<c>MONGO_URI</c> for tests, or a Docker engine); elsewhere those tests are skipped with the reason.
/// </summary>
public abstract class UserStoreContract<TBackend> : StoreContractTests<TBackend> where TBackend : StoreBackend, new()
{
    private static readonly DateTimeOffset CreatedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero).AddTicks(4567);

    protected override string ServiceName => "auth";

    private async Task<UserStore> StoreAsync()
    {
        var users = (await DatabaseAsync()).GetCollection<User>(UserStore.CollectionName);
        await UserStore.InitializeAsync(users, CancellationToken.None);
        return new UserStore(users);
    }

    private static User NewUser(string email, string hash = "hash") =>
        new() { Id = DocumentIds.New(), Email = email, PasswordHash = hash, CreatedAt = CreatedAt };

    [SkippableFact]
    public async Task TryAdd_ThenFindByEmail_ReturnsThatUser_WithEveryFieldExact()
    {
        var store = await StoreAsync();
        var user = NewUser("ann@test.dev", "AQAAAAIAAYagAAAAEM+/hash==");
        await store.TryAddAsync(NewUser("bob@test.dev"));

        Assert.True(await store.TryAddAsync(user));
        var found = await store.FindByEmailAsync("ann@test.dev");

        Assert.Equal(user, found);
        Assert.Equal(CreatedAt.UtcTicks, found!.CreatedAt.UtcTicks);
    }

    [SkippableFact]
    public async Task FindByEmail_UnknownEmail_ReturnsNull()
    {
        var store = await StoreAsync();
        await store.TryAddAsync(NewUser("ann@test.dev"));

        Assert.Null(await store.FindByEmailAsync("nobody@test.dev"));
    }

    [SkippableFact]
    public async Task FindByEmail_IgnoresCaseAndSurroundingSpaces()
    {
        var store = await StoreAsync();
        var user = NewUser("ann@test.dev");
        await store.TryAddAsync(user);

        Assert.Equal(user.Id, (await store.FindByEmailAsync("  ANN@Test.dev "))?.Id);
    }

    [SkippableFact]
    public async Task TryAdd_StoresTheEmailNormalized()
    {
        var store = await StoreAsync();
        var user = NewUser(" Ann@TEST.dev ");

        await store.TryAddAsync(user);

        Assert.Equal("ann@test.dev", (await (await DatabaseAsync()).GetCollection<User>(UserStore.CollectionName).GetAsync(user.Id))?.Email);
    }

    [SkippableFact]
    public async Task TryAdd_WithATakenEmailInAnySpelling_ReturnsFalse_AndKeepsTheFirst()
    {
        var store = await StoreAsync();
        var first = NewUser("ann@test.dev", "first");
        await store.TryAddAsync(first);

        Assert.False(await store.TryAddAsync(NewUser("ann@test.dev", "second")));
        Assert.False(await store.TryAddAsync(NewUser(" ANN@test.DEV ", "third")));
        Assert.Equal("first", (await store.FindByEmailAsync("ann@test.dev"))?.PasswordHash);
    }

    [SkippableFact]
    public async Task TryAdd_TwentyConcurrentUsersWithOneEmail_ExactlyOneIsStored()
    {
        var store = await StoreAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => store.TryAddAsync(NewUser(i % 2 == 0 ? "race@test.dev" : "RACE@test.dev", $"hash{i}")))));

        Assert.Single(results, added => added);
        var users = (await DatabaseAsync()).GetCollection<User>(UserStore.CollectionName);
        Assert.Single(await users.FindAsync(u => u.Email == "race@test.dev"));
    }

    [SkippableFact]
    public async Task Initialize_IsIdempotent_AndKeepsTheUniqueIndex()
    {
        var store = await StoreAsync();
        await StoreAsync();

        Assert.True(await store.TryAddAsync(NewUser("ann@test.dev")));
        Assert.False(await store.TryAddAsync(NewUser("ann@test.dev")));
    }

    [SkippableFact]
    public async Task TryReplacePasswordHash_FromTheStoredHash_Writes()
    {
        var store = await StoreAsync();
        var user = NewUser("ann@test.dev", "old");
        await store.TryAddAsync(user);

        Assert.True(await store.TryReplacePasswordHashAsync(user, "new"));
        Assert.Equal(user with { PasswordHash = "new" }, await store.FindByEmailAsync("ann@test.dev"));
    }

    [SkippableFact]
    public async Task TryReplacePasswordHash_FromAStaleCopy_ChangesNothing()
    {
        var store = await StoreAsync();
        var user = NewUser("ann@test.dev", "old");
        await store.TryAddAsync(user);
        await store.TryReplacePasswordHashAsync(user, "winner");

        Assert.False(await store.TryReplacePasswordHashAsync(user, "loser"));
        Assert.Equal("winner", (await store.FindByEmailAsync("ann@test.dev"))?.PasswordHash);
    }
}

public sealed class UserStoreOnEmbeddedTests : UserStoreContract<EmbeddedStoreBackend>;

public sealed class UserStoreOnMongoTests : UserStoreContract<MongoStoreBackend>;
