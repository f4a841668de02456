namespace Ticketing.Client.Components.Shared;

/// <summary>Return URLs after signing in: only paths of this site, so a link can never send someone elsewhere.</summary>
public static class LocalUrl
{
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url)
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(c => char.IsControl(c) || c == '\\');

    /// <summary>The URL when it is local, else <c>/</c>.</summary>
    public static string OrHome(string? url) => IsLocal(url) ? url! : "/";

    /// <summary>The sign-in page that comes back to <paramref name="returnUrl"/>.</summary>
    public static string SignIn(string returnUrl) =>
        IsLocal(returnUrl) && returnUrl != "/" ? $"/auth/signin?returnUrl={Uri.EscapeDataString(returnUrl)}" : "/auth/signin";
}
