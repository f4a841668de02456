namespace Ticketing.Common.Http;

/// <summary>
/// An error meant for the client, thrown from an endpoint, handler or domain method and turned into the
/// error contract by <see cref="ApiExceptionHandler"/>. Anything else thrown is a 500 with no internals.
/// </summary>
public class ApiException(int status, IReadOnlyList<ApiError> errors) : Exception(errors.Count > 0 ? errors[0].Message : ApiProblem.DefaultMessage(status))
{
    public int Status { get; } = status;
    public IReadOnlyList<ApiError> Errors { get; } = errors.Count > 0 ? errors : [new ApiError(ApiProblem.DefaultMessage(status))];
}

/// <summary>400: a business rule said no (<c>Ticket is already reserved</c>).</summary>
public sealed class BadRequestException(string message, string? field = null) : ApiException(400, [new ApiError(message, field)]);

/// <summary>401: not signed in.</summary>
public sealed class NotAuthorizedException() : ApiException(401, [new ApiError(ApiProblem.NotAuthorizedMessage)]);

/// <summary>403: signed in, but not the owner.</summary>
public sealed class ForbiddenException() : ApiException(403, [new ApiError(ApiProblem.ForbiddenMessage)]);

/// <summary>404: unknown resource or malformed id.</summary>
public sealed class NotFoundException() : ApiException(404, [new ApiError(ApiProblem.NotFoundMessage)]);

/// <summary>409: the resource kept changing under a compare-and-set write; the client may simply try again.</summary>
public sealed class ConflictException(string message) : ApiException(409, [new ApiError(message)]);
