using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Ticketing.Common.Events;

/// <summary>
/// The one JSON format of the wire: camelCase, enums as their lower-case names, nulls left out, numbers
/// strictly numbers, and required constructor parameters enforced so a message missing a field is
/// undecodable (and parked) rather than half-read. A nullable field (<c>orderId?</c>) is optional: it is left
/// out when null, so it must be readable when absent.
/// </summary>
public static class EventJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.Strict,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            Converters = { new UtcTimestampConverter() },
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { NullableParametersAreOptional } },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// Without this, a nullable constructor parameter counts as required like any other, and an event written
    /// with that field null (hence left out) could not be read back.
    /// </summary>
    private static void NullableParametersAreOptional(JsonTypeInfo typeInfo)
    {
        foreach (var property in typeInfo.Properties)
        {
            if (property.AssociatedParameter is { IsNullable: true })
            {
                property.IsRequired = false;
            }
        }
    }

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Deserialize<T>(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize<T>(utf8Json, Options) ?? throw new JsonException("The message body is JSON null.");
}

/// <summary>Writes times as ISO 8601 UTC with a <c>Z</c> (the contract's format); reads any ISO 8601 offset.</summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
}
