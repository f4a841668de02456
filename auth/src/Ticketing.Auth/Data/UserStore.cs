using Ticketing.Auth.Domain;
using Ticketing.Common.Storage;

namespace Ticketing.Auth.Data;

/// <summary>The users collection, as much of it as auth needs. Emails are normalized here too, whoever calls.</summary>
public interface IUserStore
{
    /// <summary>Stores a new user; false when the email (or, in theory, the id) is taken.</summary>
    Task<bool> TryAddAsync(User user, CancellationToken cancellationToken = default);

    Task<User?> FindByEmailAsync(string email, CancellationToken cancellationToken = default);

    /// <summary>Replaces the hash only if the stored one is still <paramref name="user"/>'s (compare-and-set).</summary>
    Task<bool> TryReplacePasswordHashAsync(User user, string newHash, CancellationToken cancellationToken = default);
}

/// <summary><see cref="IUserStore"/> over the service's document collection (MongoDB or the embedded store).</summary>
public sealed class UserStore(IDocumentCollection<User> users) : IUserStore
{
    public const string CollectionName = "users";
    public const string EmailIndex = "email_unique";

    /// <summary>Run once at start, before requests: the unique index is what refuses concurrent duplicate signups.</summary>
    public static Task InitializeAsync(IDocumentCollection<User> users, CancellationToken cancellationToken) =>
        users.EnsureIndexAsync(EmailIndex, u => u.Email, unique: true, cancellationToken);

    public async Task<bool> TryAddAsync(User user, CancellationToken cancellationToken = default)
    {
        var result = await users.InsertAsync(user with { Email = EmailAddress.Normalize(user.Email) }, cancellationToken);
        return result switch
        {
            WriteResult.Ok => true,
            WriteResult.Duplicate => false,
            _ => throw new InvalidOperationException($"Inserting a user returned {result}."),
        };
    }

    public async Task<User?> FindByEmailAsync(string email, CancellationToken cancellationToken = default)
    {
        var normalized = EmailAddress.Normalize(email);
        var found = await users.FindAsync(u => u.Email == normalized, new FindOptions<User> { Limit = 1 }, cancellationToken);
        return found.Count > 0 ? found[0] : null;
    }

    public async Task<bool> TryReplacePasswordHashAsync(User user, string newHash, CancellationToken cancellationToken = default)
    {
        var storedHash = user.PasswordHash;
        var result = await users.ReplaceAsync(user with { PasswordHash = newHash }, u => u.PasswordHash == storedHash, cancellationToken);
        return result == WriteResult.Ok;
    }
}
