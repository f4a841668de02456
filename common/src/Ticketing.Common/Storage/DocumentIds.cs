using MongoDB.Bson;

namespace Ticketing.Common.Storage;

/// <summary>
/// Ids are 24 lower-case hex characters (a MongoDB ObjectId: time-ordered, unique without coordination)
/// on every backend, so an id looks the same whichever store made it.
/// </summary>
public static class DocumentIds
{
    public static string New() => ObjectId.GenerateNewId().ToString();

    /// <summary>True for a well-formed id. A malformed id in a URL is answered 404, never 500.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: 24 } && id.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
