using Ticketing.Common.Http;

namespace Ticketing.Client.Components.Shared;

/// <summary>Where an API error goes on a form: next to its field (by the contract's camelCase field name) or in the summary.</summary>
public static class FormErrors
{
    public static string IdFor(string field) => $"{field}-error";

    public static IReadOnlyList<string> For(IReadOnlyList<ApiError>? errors, string field) =>
        errors?.Where(e => string.Equals(e.Field, field, StringComparison.OrdinalIgnoreCase)).Select(e => e.Message).ToList() ?? [];

    public static bool Has(IReadOnlyList<ApiError>? errors, string field) => For(errors, field).Count > 0;

    /// <summary>Errors with no field, or for a field the form does not show.</summary>
    public static IReadOnlyList<string> Unplaced(IReadOnlyList<ApiError>? errors, IReadOnlyCollection<string> fields) =>
        errors?.Where(e => e.Field is null || !fields.Contains(e.Field, StringComparer.OrdinalIgnoreCase)).Select(e => e.Message).ToList() ?? [];

    /// <summary>The aria-describedby of an input: its hint (if any) and its error (when it has one); null when neither.</summary>
    public static string? DescribedBy(IReadOnlyList<ApiError>? errors, string field, string? hintId = null)
    {
        var ids = new[] { hintId, Has(errors, field) ? IdFor(field) : null }.OfType<string>().ToList();
        return ids.Count > 0 ? string.Join(' ', ids) : null;
    }

    /// <summary>aria-invalid: "true" when the field has an error, else nothing.</summary>
    public static string? Invalid(IReadOnlyList<ApiError>? errors, string field) => Has(errors, field) ? "true" : null;
}
