namespace Ticketing.Client.Api;

/// <summary>
/// Who is signed in, for the request being rendered: asked of the auth API once per request (the header and the page
/// share the answer), and not at all when the browser sent no <c>session</c> cookie.
/// </summary>
public sealed class UserSession(AuthApi auth, IHttpContextAccessor accessor)
{
    private Task<SignedInUser?>? _current;

    /// <summary>The signed-in user, or null. Throws <see cref="TicketingApiException"/> when auth cannot answer.</summary>
    public Task<SignedInUser?> CurrentAsync() => _current ??= LoadAsync();

    /// <summary>The signed-in user, or null also when auth cannot answer (for the header, which must always render).</summary>
    public async Task<SignedInUser?> CurrentOrNullAsync()
    {
        try
        {
            return await CurrentAsync();
        }
        catch (TicketingApiException)
        {
            return null;
        }
    }

    private Task<SignedInUser?> LoadAsync() =>
        string.IsNullOrEmpty(accessor.HttpContext?.Request.Cookies[ApiForwardingHandler.SessionCookie])
            ? Task.FromResult<SignedInUser?>(null)
            : auth.CurrentUserAsync(accessor.HttpContext?.RequestAborted ?? default);
}
