namespace Ticketing.Common.Http;

/// <summary>
/// The one paging rule of every list route (<c>?limit=&amp;offset=</c>): limit 1..<see cref="MaxLimit"/>, default
/// <see cref="DefaultLimit"/>; offset 0 or more. Offsets count over the list as it is at each request (see docs/api.md §2).
/// </summary>
public static class Paging
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    /// <summary>The page asked for, or a 400 naming each bad parameter.</summary>
    public static (int Limit, int Offset) Validate(int? limit, int? offset)
    {
        var (take, skip) = (limit ?? DefaultLimit, offset ?? 0);
        var errors = new List<ApiError>();
        if (take is < 1 or > MaxLimit)
        {
            errors.Add(new ApiError($"Limit must be between 1 and {MaxLimit}", "limit"));
        }

        if (skip < 0)
        {
            errors.Add(new ApiError("Offset must be 0 or more", "offset"));
        }

        return errors.Count > 0 ? throw new ApiException(400, errors) : (take, skip);
    }
}
