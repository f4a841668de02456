using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Ticketing.Common.Domain;

namespace Ticketing.Common.Http;

/// <summary>
/// Turns every exception that escapes an endpoint into the error contract: client errors keep their status
/// and get a useful message (malformed JSON names the field); anything unexpected is a 500 that says
/// "Something went wrong" and is logged, with no internals in the response.
/// </summary>
public sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true; // The client went away; nobody is listening for an answer.
        }

        var (status, errors) = Map(exception);
        if (status == 503)
        {
            logger.LogWarning(exception, "A dependency is unavailable on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            httpContext.Response.Headers.RetryAfter = "5";
        }
        else if (status >= 500)
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }

        await ApiProblem.WriteAsync(httpContext, status, [.. errors]);
        return true;
    }

    /// <summary>The status and errors an exception stands for.</summary>
    public static (int Status, IReadOnlyList<ApiError> Errors) Map(Exception exception) => exception switch
    {
        ApiException api => (api.Status, api.Errors),
        DomainRuleException rule => (400, [new ApiError(rule.Message)]),
        ValidationException validation => (400, ValidationFilter.ToApiErrors(validation.Errors)),
        BadHttpRequestException bad => MapBadRequest(bad),
        JsonException json => (400, [FromJson(json)]),
        _ when IsDependencyDown(exception) => (503, [new ApiError(ApiProblem.DefaultMessage(503))]),
        _ => (500, [new ApiError(ApiProblem.UnexpectedMessage)]),
    };

    /// <summary>
    /// A dependency (the service's own database, NATS) is unreachable or timed out: the request may work again
    /// shortly, so the answer is 503, not "something went wrong". The same rule keeps the event consumer from
    /// parking messages during an outage (<see cref="Hosting.DependencyFailure"/>).
    /// </summary>
    private static bool IsDependencyDown(Exception exception) => Hosting.DependencyFailure.IsTransient(exception);

    private static (int, IReadOnlyList<ApiError>) MapBadRequest(BadHttpRequestException exception)
    {
        // Kestrel's body limit may surface wrapped in the JSON reader's failure: the innermost status wins.
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case BadHttpRequestException { StatusCode: 413 }:
                    return (413, [new ApiError(ApiProblem.DefaultMessage(413))]);
                case JsonException json:
                    return (400, [FromJson(json)]);
            }
        }

        if (exception.StatusCode != 400)
        {
            return (exception.StatusCode, [new ApiError(ApiProblem.DefaultMessage(exception.StatusCode))]);
        }

        if (BindFailure().Match(exception.Message) is { Success: true } bind)
        {
            var name = bind.Groups["name"].Value;
            return (400, [new ApiError($"Invalid value for '{name}'", name)]);
        }

        return exception.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
            ? (400, [new ApiError("A JSON request body is required")])
            : (400, [new ApiError(ApiProblem.DefaultMessage(400))]);
    }

    private static ApiError FromJson(JsonException exception)
    {
        var field = FieldFromPath(exception.Path);
        return field is null
            ? new ApiError("The request body is not valid JSON")
            : new ApiError($"Invalid value for '{field}'", field);
    }

    /// <summary><c>$.ticket.id</c> becomes <c>ticket.id</c>; the root or an unknown path gives no field.</summary>
    private static string? FieldFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length == 0 ? null : field;
    }

    [GeneratedRegex("""^Failed to bind parameter "[^"]*?\b(?<name>\w+)" from""")]
    private static partial Regex BindFailure();
}
