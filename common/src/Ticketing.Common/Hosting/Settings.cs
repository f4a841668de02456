using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Ticketing.Common.Hosting;

/// <summary>A required setting is missing or invalid. The service stops at start with this message.</summary>
public sealed class InvalidSettingException(string setting, string message)
    : Exception($"Configuration error: {setting} {message}")
{
    public string Setting { get; } = setting;
}

/// <summary>
/// Typed reads of the environment-variable settings (<c>JWT_KEY</c>, <c>NATS_URL</c>, ...), failing fast with
/// a message that names the setting and says what a valid value looks like.
/// </summary>
public static class Settings
{
    public static string Required(this IConfiguration configuration, string key, string hint)
    {
        var value = configuration[key];
        return string.IsNullOrWhiteSpace(value) ? throw new InvalidSettingException(key, $"is required: {hint}") : value;
    }

    public static string? Optional(this IConfiguration configuration, string key) =>
        configuration[key] is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value : null;

    public static int Int(this IConfiguration configuration, string key, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var raw = configuration.Optional(key);
        if (raw is null)
        {
            return defaultValue;
        }

        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidSettingException(key, $"must be a whole number from {min} to {max} (got '{raw}')");
    }

    public static long Long(this IConfiguration configuration, string key, long defaultValue, long min = long.MinValue, long max = long.MaxValue)
    {
        var raw = configuration.Optional(key);
        if (raw is null)
        {
            return defaultValue;
        }

        return long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidSettingException(key, $"must be a whole number from {min} to {max} (got '{raw}')");
    }

    public static bool Bool(this IConfiguration configuration, string key, bool defaultValue)
    {
        var raw = configuration.Optional(key);
        if (raw is null)
        {
            return defaultValue;
        }

        return raw.Trim().ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw new InvalidSettingException(key, $"must be true or false (got '{raw}')"),
        };
    }

    public static TimeSpan Seconds(this IConfiguration configuration, string key, TimeSpan defaultValue, int min = 1, int max = int.MaxValue) =>
        TimeSpan.FromSeconds(configuration.Int(key, (int)defaultValue.TotalSeconds, min, max));

    public static TimeSpan Milliseconds(this IConfiguration configuration, string key, TimeSpan defaultValue, int min = 1, int max = int.MaxValue) =>
        TimeSpan.FromMilliseconds(configuration.Int(key, (int)defaultValue.TotalMilliseconds, min, max));
}
