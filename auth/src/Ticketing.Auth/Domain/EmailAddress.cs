namespace Ticketing.Auth.Domain;

/// <summary>
/// The one email rule of the service: an address is trimmed and lower-cased (invariant) before it is validated,
/// stored or looked up, so <c>" Ann@Example.COM "</c> and <c>ann@example.com</c> are the same account.
/// </summary>
/// <remarks>
/// Plausible means: at most 254 characters; one <c>@</c>; a dot-atom local part of at most 64 printable ASCII
/// characters; a domain of at least two labels of letters, digits and inner hyphens, whose last label is not
/// numeric. Quoted local parts, IP-literal domains and non-ASCII addresses are refused: the service runs with
/// invariant globalization, where Unicode normalization is not available, so two spellings of one non-ASCII
/// address could otherwise become two accounts. Internationalized domains work in their punycode form.
/// </remarks>
public static class EmailAddress
{
    public const int MaxLength = 254;
    private const int MaxLocalPartLength = 64;
    private const int MaxLabelLength = 63;

    /// <summary>The form that is validated, stored and compared.</summary>
    public static string Normalize(string? email) => (email ?? string.Empty).Trim().ToLowerInvariant();

    /// <summary>True when <paramref name="email"/>, once normalized, is a plausible address.</summary>
    public static bool IsValid(string? email) => IsPlausible(Normalize(email));

    private static bool IsPlausible(string email)
    {
        if (email.Length is 0 or > MaxLength)
        {
            return false;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != email.LastIndexOf('@'))
        {
            return false;
        }

        return IsLocalPart(email.AsSpan(0, at)) && IsDomain(email.AsSpan(at + 1));
    }

    private static bool IsLocalPart(ReadOnlySpan<char> local)
    {
        if (local.Length > MaxLocalPartLength || local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '.' || "!#$%&'*+/=?^_`{|}~-".Contains(c)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDomain(ReadOnlySpan<char> domain)
    {
        var labels = 0;
        var lastLabelNumeric = false;
        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            if (label.Length is 0 or > MaxLabelLength || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            var numeric = true;
            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
                {
                    return false;
                }

                numeric &= char.IsAsciiDigit(c);
            }

            labels++;
            lastLabelNumeric = numeric;
        }

        return labels >= 2 && !lastLabelNumeric;
    }
}
