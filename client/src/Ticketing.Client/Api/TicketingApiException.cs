using Ticketing.Common.Http;

namespace Ticketing.Client.Api;

/// <summary>
/// An API answered with an error (the error contract's <c>errors</c> list), or could not be reached at all (503).
/// Pages show <see cref="Errors"/> next to their fields; <see cref="FriendlyMessage"/> is what a person reads when
/// there is nothing to fix in the form (busy, down, not allowed).
/// </summary>
public sealed class TicketingApiException(int status, IReadOnlyList<ApiError> errors)
    : Exception(errors.Count > 0 ? errors[0].Message : $"The API answered {status}")
{
    public const string TooManyRequestsMessage = "You're going a little fast. Please wait a moment and try again.";
    public const string UnavailableMessage = "This part of Ticketing is temporarily unavailable. Please try again in a moment.";
    public const string UnexpectedMessage = "Something went wrong on our side. Please try again.";

    public int Status { get; } = status;

    /// <summary>The API's errors, except for statuses whose details mean nothing to a person (429, 5xx).</summary>
    public IReadOnlyList<ApiError> Errors { get; } = FriendlyErrors(status, errors);

    public string FriendlyMessage => Errors[0].Message;

    /// <summary>The API could not be reached (refused, timed out): the same as a 503 for the person.</summary>
    public static TicketingApiException Unreachable() => new(503, []);

    private static IReadOnlyList<ApiError> FriendlyErrors(int status, IReadOnlyList<ApiError> errors) => status switch
    {
        429 => [new ApiError(TooManyRequestsMessage)],
        502 or 503 or 504 => [new ApiError(UnavailableMessage)],
        >= 500 => [new ApiError(UnexpectedMessage)],
        401 => [new ApiError("Please sign in to continue.")],
        403 => [new ApiError("You are not allowed to do that.")],
        _ when errors.Count == 0 => [new ApiError(ApiProblem.DefaultMessage(status))],
        _ => errors,
    };
}
