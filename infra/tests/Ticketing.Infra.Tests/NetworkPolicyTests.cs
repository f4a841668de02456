using YamlDotNet.RepresentationModel;

namespace Ticketing.Infra.Tests;

/// <summary>
/// The namespace denies all traffic by default, and each path the platform needs is opened on its own: nothing is
/// reachable from everywhere, and every workload can reach what its code needs.
/// </summary>
public sealed class NetworkPolicyTests
{
    public static TheoryData<string> Overlays() => ["k8s-dev", "k8s-prod"];

    private static IReadOnlyList<YamlMappingNode> Policies(string overlay)
    {
        Skip.If(Repo.Kubectl is null, Repo.NoKubectl);
        return [.. Repo.Render(overlay).OfKind("NetworkPolicy")];
    }

    /// <summary>The app labels a pod selector matches (matchLabels app, or matchExpressions app In [...]); empty = every pod.</summary>
    private static HashSet<string> Apps(YamlNode? selector)
    {
        if (selector.Text("matchLabels", "app") is { } app)
        {
            return [app];
        }

        return [.. selector.Items("matchExpressions").OfType<YamlMappingNode>()
            .Where(e => e.Text("key") == "app" && e.Text("operator") == "In")
            .SelectMany(e => e.Items("values").OfType<YamlScalarNode>().Select(v => v.Value!))];
    }

    /// <summary>True when a policy lets <paramref name="from"/> reach <paramref name="to"/> on <paramref name="port"/> in the given direction.</summary>
    private static bool Allows(IEnumerable<YamlMappingNode> policies, string direction, string subject, string peer, int port) =>
        policies.Any(p => Apps(p.At("spec", "podSelector")).Contains(subject)
            && p.Items("spec", direction).OfType<YamlMappingNode>().Any(rule =>
                rule.Items(direction == "ingress" ? "from" : "to").OfType<YamlMappingNode>().Any(x => Apps(x.At("podSelector")).Contains(peer))
                && rule.Items("ports").Any(pt => pt.Text("port") == port.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    private static bool Path(IReadOnlyList<YamlMappingNode> policies, string from, string to, int port) =>
        Allows(policies, "egress", from, to, port) && Allows(policies, "ingress", to, from, port);

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void Namespace_DeniesEverythingByDefault_InBothDirections(string overlay)
    {
        var deny = Assert.Single(Policies(overlay), p => p.Text("metadata", "name") == "default-deny");
        Assert.Empty(Apps(deny.At("spec", "podSelector")));
        Assert.Equal(["Ingress", "Egress"], deny.Items("spec", "policyTypes").OfType<YamlScalarNode>().Select(n => n.Value));
        Assert.Empty(deny.Items("spec", "ingress"));
        Assert.Empty(deny.Items("spec", "egress"));
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void NoRule_OpensAWorkloadToEveryPeer(string overlay)
    {
        Assert.All(Policies(overlay), policy =>
        {
            foreach (var rule in policy.Items("spec", "ingress").OfType<YamlMappingNode>())
            {
                Assert.NotEmpty(rule.Items("from")); // an empty "from" admits everyone
                Assert.NotEmpty(rule.Items("ports"));
            }

            foreach (var rule in policy.Items("spec", "egress").OfType<YamlMappingNode>())
            {
                Assert.NotEmpty(rule.Items("to"));
                Assert.NotEmpty(rule.Items("ports"));
            }
        });
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EveryPathThePlatformUses_IsOpen(string overlay)
    {
        var policies = Policies(overlay);
        foreach (var service in new[] { "auth", "tickets", "orders", "payments" })
        {
            Assert.True(Path(policies, service, $"{service}-mongo", 27017), $"{service} -> its MongoDB");
            Assert.False(Path(policies, service == "auth" ? "tickets" : "auth", $"{service}-mongo", 27017), $"another service -> {service}'s MongoDB");
        }

        foreach (var service in new[] { "auth", "tickets", "orders", "payments", "expiration" })
        {
            Assert.True(Path(policies, service, "nats", 4222), $"{service} -> NATS");
        }

        Assert.False(Path(policies, "client", "nats", 4222), "the client has no business on the bus");
        Assert.True(Path(policies, "expiration", "redis", 6379), "expiration -> Redis");
        Assert.False(Path(policies, "orders", "redis", 6379), "only expiration uses Redis");
        Assert.True(Path(policies, "nats", "nats", 6222), "NATS cluster routes");
        Assert.True(Path(policies, "nats-provision", "nats", 4222), "the provisioning Job -> NATS");
        Assert.False(Path(policies, "nats-provision", "auth-mongo", 27017), "the provisioning Job needs nothing but NATS");
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EveryHttpService_TakesRequestsFromTheIngressController_AndEveryPodResolvesNames(string overlay)
    {
        var policies = Policies(overlay);
        foreach (var service in new[] { "auth", "tickets", "orders", "payments", "client" })
        {
            Assert.Contains(policies, p => Apps(p.At("spec", "podSelector")).Contains(service)
                && p.Items("spec", "ingress").OfType<YamlMappingNode>().Any(rule => rule.Items("from").OfType<YamlMappingNode>()
                    .Any(x => x.Text("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name") == "ingress-nginx")));
        }

        var dns = Assert.Single(policies, p => p.Text("metadata", "name") == "allow-dns");
        Assert.Empty(Apps(dns.At("spec", "podSelector")));
        Assert.Contains(dns.Items("spec", "egress").OfType<YamlMappingNode>().SelectMany(rule => rule.Items("ports")), port => port.Text("port") == "53");
    }
}
