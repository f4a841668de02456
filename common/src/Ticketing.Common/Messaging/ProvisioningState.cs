using System.Collections.Concurrent;

namespace Ticketing.Common.Messaging;

/// <summary>
/// The durable consumers this service looked for and did not find (not provisioned yet, or lost with the server's
/// store). Readiness fails while any is missing, naming it, so a platform started without its provisioning step says
/// why it does not work instead of waiting silently.
/// </summary>
public sealed class ProvisioningState
{
    private readonly ConcurrentDictionary<string, byte> _missing = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> MissingNow => [.. _missing.Keys.Order(StringComparer.Ordinal)];

    public void Missing(string what) => _missing[what] = 0;

    public void Found(string what) => _missing.TryRemove(what, out _);
}
