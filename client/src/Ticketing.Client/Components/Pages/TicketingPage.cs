using Microsoft.AspNetCore.Components;
using Ticketing.Client.Api;
using Ticketing.Client.Components.Shared;
using Ticketing.Common.Http;

namespace Ticketing.Client.Components.Pages;

/// <summary>
/// What every page shares: the signed-in user, sending a visitor to sign in (and back), and turning an API failure
/// into something a person can read (<see cref="Errors"/>), never an exception page.
/// </summary>
public abstract class TicketingPage : ComponentBase
{
    [Inject] protected NavigationManager Navigation { get; set; } = null!;

    [Inject] protected UserSession Session { get; set; } = null!;

    [Inject] protected IHttpContextAccessor HttpContextAccessor { get; set; } = null!;

    [Inject] protected TimeProvider Clock { get; set; } = null!;

    /// <summary>What went wrong in the last API call, shown by the page (next to fields or as a summary).</summary>
    protected IReadOnlyList<ApiError>? Errors { get; set; }

    /// <summary>The status of the last failed API call (404 shows "not found", ...).</summary>
    protected int? FailedStatus { get; set; }

    protected CancellationToken Aborted => HttpContextAccessor.HttpContext?.RequestAborted ?? CancellationToken.None;

    /// <summary>The signed-in user; for a visitor, redirects to sign in (coming back here afterwards) and returns null.</summary>
    protected async Task<SignedInUser?> RequireUserAsync()
    {
        var user = await RunAsync(Session.CurrentAsync);
        if (user is null && FailedStatus is null)
        {
            Navigation.NavigateTo(LocalUrl.SignIn("/" + Navigation.ToBaseRelativePath(Navigation.Uri)));
        }

        return user;
    }

    /// <summary>Runs an API call; a failure sets <see cref="Errors"/> and gives default.</summary>
    protected async Task<T?> RunAsync<T>(Func<Task<T>> call)
    {
        try
        {
            var result = await call();
            return result;
        }
        catch (TicketingApiException failure)
        {
            FailedStatus = failure.Status;
            Errors = failure.Errors;
            return default;
        }
    }

    /// <summary>Runs an API call that returns nothing; true when it succeeded.</summary>
    protected async Task<bool> RunAsync(Func<Task> call) =>
        await RunAsync(async () =>
        {
            await call();
            return true;
        });

    /// <summary>Shows the not-found page (404) for a resource the API does not know.</summary>
    protected void NotFound() => Navigation.NotFound();
}
