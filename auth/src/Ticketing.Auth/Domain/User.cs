using System.Text;
using Ticketing.Common.Storage;

namespace Ticketing.Auth.Domain;

/// <summary>A user account (as stored). <see cref="Email"/> is normalized (<see cref="EmailAddress"/>) and unique.</summary>
public sealed record User : IDocument
{
    public required string Id { get; init; }
    public required string Email { get; init; }

    /// <summary>The salted PBKDF2 hash (Identity's format, which carries its own parameters). Never leaves the service.</summary>
    public required string PasswordHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    // The generated ToString would print the hash; a user logged by mistake must not carry it.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", Email = ").Append(Email).Append(", CreatedAt = ").Append(CreatedAt.ToString("O", null));
        return true;
    }
}
