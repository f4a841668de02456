using System.Reflection;
using Ticketing.Common.Events;

namespace Ticketing.Common.Tests.Events;

/// <summary>Every event contract the package defines, found by reflection (so a new event is covered without a list to keep).</summary>
public static class KnownEvents
{
    public sealed record Entry(Type Type, string Subject, int SchemaVersion);

    public static IReadOnlyList<Entry> All { get; } =
    [
        .. typeof(IIntegrationEvent).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IIntegrationEvent).IsAssignableFrom(t))
            .Select(t => new Entry(t, (string)StaticValue(t, "Subject"), (int)StaticValue(t, "SchemaVersion")))
            .OrderBy(e => e.Subject, StringComparer.Ordinal),
    ];

    private static object StaticValue(Type type, string name) =>
        type.GetProperty(name, BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
        ?? throw new InvalidOperationException($"{type.Name} has no static {name}.");
}
