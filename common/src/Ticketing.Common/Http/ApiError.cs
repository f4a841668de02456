using System.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Ticketing.Common.Http;

/// <summary>One entry of the error contract's <c>errors</c> list. <c>field</c> only for validation errors (camelCase, as in the request).</summary>
public sealed record ApiError(
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field = null);

/// <summary>
/// Builds the error contract: <c>application/problem+json</c> (RFC 9457) whose body also carries the
/// course's <c>errors</c> list: <c>{ type, title, status, traceId, errors: [ { message, field? } ] }</c>.
/// </summary>
public static class ApiProblem
{
    public const string NotAuthorizedMessage = "Not authorized";
    public const string ForbiddenMessage = "Forbidden";
    public const string NotFoundMessage = "Not Found";
    public const string UnexpectedMessage = "Something went wrong";

    /// <summary>The message for a status that arrives without one (an unknown route, a bare 405, ...).</summary>
    public static string DefaultMessage(int status) => status switch
    {
        400 => "Bad request",
        401 => NotAuthorizedMessage,
        403 => ForbiddenMessage,
        404 => NotFoundMessage,
        405 => "Method not allowed",
        406 => "Not acceptable",
        408 => "Request timed out",
        409 => "Conflict",
        413 => "Request body too large",
        415 => "Content type must be application/json",
        429 => "Too many requests; try again later",
        500 => UnexpectedMessage,
        503 => "Service temporarily unavailable; try again later",
        _ => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error",
    };

    public static ProblemDetails Create(int status, IReadOnlyList<ApiError> errors, HttpContext? context = null)
    {
        var problem = new ProblemDetails
        {
            Type = TypeFor(status),
            Title = ReasonPhrases.GetReasonPhrase(status),
            Status = status,
        };
        problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context?.TraceIdentifier;
        problem.Extensions["errors"] = errors;
        return problem;
    }

    public static ProblemHttpResult Result(int status, params ApiError[] errors) =>
        TypedResults.Problem(Create(status, errors.Length > 0 ? errors : [new ApiError(DefaultMessage(status))]));

    public static ProblemHttpResult BadRequest(string message, string? field = null) => Result(400, new ApiError(message, field));
    public static ProblemHttpResult NotFound() => Result(404, new ApiError(NotFoundMessage));

    /// <summary>Writes the contract straight to a response (middleware, authentication, rate limiter).</summary>
    public static Task WriteAsync(HttpContext context, int status, params ApiError[] errors) =>
        Result(status, errors).ExecuteAsync(context);

    /// <summary>The RFC 9110 section of the status, as ASP.NET Core's own problem details link it.</summary>
    private static string TypeFor(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        402 => "https://tools.ietf.org/html/rfc9110#section-15.5.3",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => $"https://httpstatuses.io/{status}",
    };
}
