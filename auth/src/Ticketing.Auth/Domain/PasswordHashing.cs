using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace Ticketing.Auth.Domain;

/// <summary>
/// Slow salted password hashes (ASP.NET Core Identity's PBKDF2 <see cref="IPasswordHasher{TUser}"/>, compared
/// in constant time). Passwords are used exactly as typed: never trimmed, never logged, never returned.
/// </summary>
public sealed class PasswordHashing
{
    /// <summary>
    /// PBKDF2 iterations: OWASP's Password Storage Cheat Sheet recommends 210,000 for PBKDF2-HMAC-SHA512, the
    /// function of Identity's V3 format (600,000 would be the figure for HMAC-SHA256). Hashes with fewer are
    /// upgraded on the next successful sign-in (the hasher answers <see cref="PasswordVerificationResult.SuccessRehashNeeded"/>).
    /// </summary>
    public const int Iterations = 210_000;

    public const int MinLength = 8;
    public const int MaxLength = 128;

    // Signing in with an unknown email verifies against this hash of a random secret, so it costs what a wrong
    // password costs and the response time does not tell which emails have accounts.
    private static readonly User Nobody = new() { Id = "000000000000000000000000", Email = "nobody@invalid", PasswordHash = string.Empty };

    private readonly IPasswordHasher<User> _hasher;
    private readonly string _unknownUserHash;

    public PasswordHashing(IPasswordHasher<User> hasher)
    {
        _hasher = hasher;
        _unknownUserHash = hasher.HashPassword(Nobody, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
    }

    /// <summary>
    /// 8 to 128 characters, counted as Unicode code points (an emoji is one character). The upper bound keeps the
    /// hashing cost of a request bounded.
    /// </summary>
    public static bool HasAllowedLength(string? password)
    {
        if (password is null)
        {
            return false;
        }

        var count = 0;
        foreach (var _ in password.EnumerateRunes())
        {
            if (++count > MaxLength)
            {
                return false;
            }
        }

        return count >= MinLength;
    }

    public string Hash(User user, string password) => _hasher.HashPassword(user, password);

    /// <summary>Checks <paramref name="password"/>; for a missing user the same work is done and the answer is <see cref="PasswordVerificationResult.Failed"/>.</summary>
    public PasswordVerificationResult Verify(User? user, string password)
    {
        if (user is null)
        {
            _ = _hasher.VerifyHashedPassword(Nobody, _unknownUserHash, password);
            return PasswordVerificationResult.Failed;
        }

        return _hasher.VerifyHashedPassword(user, user.PasswordHash, password);
    }
}
