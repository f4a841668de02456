using System.Text.Json;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ticketing.Common.Http;

/// <summary>
/// Runs the FluentValidation validator of an endpoint's request body before the endpoint, answering 400 in
/// the error contract (one message per field, field names camelCase as in the request).
/// </summary>
public sealed class ValidationFilter<TRequest>(IValidator<TRequest> validator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.Arguments.OfType<TRequest>().FirstOrDefault();
        if (request is null)
        {
            return ApiProblem.BadRequest("A JSON request body is required");
        }

        var result = await validator.ValidateAsync(request, context.HttpContext.RequestAborted);
        return result.IsValid
            ? await next(context)
            : ApiProblem.Result(400, [.. ValidationFilter.ToApiErrors(result.Errors)]);
    }
}

public static class ValidationFilter
{
    /// <summary>Validates the <typeparamref name="TRequest"/> body with its registered validator.</summary>
    public static RouteHandlerBuilder WithValidation<TRequest>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<ValidationFilter<TRequest>>().ProducesProblem(StatusCodes.Status400BadRequest);

    /// <summary>First failure per field, in the validator's order.</summary>
    public static IReadOnlyList<ApiError> ToApiErrors(IEnumerable<ValidationFailure> failures) =>
        failures
            .GroupBy(f => f.PropertyName)
            .Select(g => new ApiError(g.First().ErrorMessage, CamelCasePath(g.Key)))
            .ToList();

    private static string? CamelCasePath(string? propertyPath) =>
        string.IsNullOrEmpty(propertyPath)
            ? null
            : string.Join('.', propertyPath.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));

    /// <summary>Registers every validator in the assembly of <typeparamref name="TMarker"/>.</summary>
    public static IServiceCollection AddRequestValidators<TMarker>(this IServiceCollection services) =>
        services.AddValidatorsFromAssemblyContaining<TMarker>(ServiceLifetime.Singleton);
}
