using Microsoft.AspNetCore.Identity;
using Ticketing.Auth.Data;
using Ticketing.Auth.Domain;
using Ticketing.Common.Storage;

namespace Ticketing.Auth.Endpoints;

/// <summary>Signing up and signing in: what the endpoints do with the users store and the password hashes.</summary>
public sealed partial class Accounts(IUserStore users, PasswordHashing passwords, SigninThrottle throttle, TimeProvider timeProvider, ILogger<Accounts> logger)
{
    /// <summary>Creates the account, or returns null when the email already has one.</summary>
    public async Task<User?> SignUpAsync(string email, string password, CancellationToken cancellationToken)
    {
        var user = new User
        {
            Id = DocumentIds.New(),
            Email = EmailAddress.Normalize(email),
            PasswordHash = string.Empty,
            CreatedAt = timeProvider.GetUtcNow(),
        };
        user = user with { PasswordHash = passwords.Hash(user, password) };

        // The unique index decides, not a lookup first: of any number of concurrent signups for one email,
        // exactly one insert succeeds.
        if (!await users.TryAddAsync(user, cancellationToken))
        {
            return null;
        }

        LogSignedUp(user.Id);
        return user;
    }

    /// <summary>The user these credentials belong to, or null: an unknown email and a wrong password look the same.</summary>
    public async Task<User?> SignInAsync(string email, string password, CancellationToken cancellationToken)
    {
        var normalized = EmailAddress.Normalize(email);
        if (throttle.DelayFor(normalized) is { } delay && delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);   // recent failures on this account: slow down, never refuse
        }

        var user = await users.FindByEmailAsync(normalized, cancellationToken);
        var check = passwords.Verify(user, password);
        if (user is null || check == PasswordVerificationResult.Failed)
        {
            throttle.Failed(normalized);
            LogSignInRefused();
            return null;
        }

        throttle.Succeeded(normalized);

        if (check == PasswordVerificationResult.SuccessRehashNeeded)
        {
            // Hashes made with older parameters are upgraded on the next successful sign-in. A concurrent
            // upgrade wins harmlessly (both hashes are of the same password), so the result is not checked.
            await users.TryReplacePasswordHashAsync(user, passwords.Hash(user, password), cancellationToken);
        }

        LogSignedIn(user.Id);
        return user;
    }

    [LoggerMessage(LogLevel.Information, "User {UserId} signed up")]
    private partial void LogSignedUp(string userId);

    [LoggerMessage(LogLevel.Information, "User {UserId} signed in")]
    private partial void LogSignedIn(string userId);

    [LoggerMessage(LogLevel.Information, "Sign-in refused: invalid credentials")]
    private partial void LogSignInRefused();
}
