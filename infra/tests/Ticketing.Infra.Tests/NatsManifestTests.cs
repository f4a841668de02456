using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Ticketing.Infra.Tests;

/// <summary>
/// NATS in the cluster runs with the same permission file as the tests and the local run (infra/nats/auth.conf),
/// every service connects as its own user with its password from the Secret, the provisioning Job creates what the
/// services may not, and the monitoring port is not reachable through a Service (decision 0013).
/// </summary>
public sealed class NatsManifestTests
{
    public static TheoryData<string> Overlays() => ["k8s-dev", "k8s-prod"];

    private static IReadOnlyList<YamlMappingNode> Render(string overlay)
    {
        Skip.If(Repo.Kubectl is null, Repo.NoKubectl);
        return Repo.Render(overlay);
    }

    private static string PermissionFile => File.ReadAllText(Repo.PathOf("infra", "nats", "auth.conf"));

    /// <summary>The users the permission file declares, from its <c>$NATS_&lt;USER&gt;_PASSWORD</c> references.</summary>
    private static IReadOnlyList<string> Users =>
        [.. Regex.Matches(PermissionFile, @"\$NATS_([A-Z0-9_]+)_PASSWORD").Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct()];

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void NatsServer_LoadsThePermissionFile_ByteForByte_WithThePasswordsFromTheSecret(string overlay)
    {
        var docs = Render(overlay);
        var authMaps = docs.OfKind("ConfigMap").Where(d => d.Text("metadata", "name")!.StartsWith("nats-auth", StringComparison.Ordinal)).ToList();
        var authMap = Assert.Single(authMaps);
        Assert.Equal(PermissionFile, authMap.Text("data", "auth.conf"));

        var nats = docs.Named("StatefulSet", "nats")!;
        // nats.conf and auth.conf projected into one folder, where nats.conf includes it.
        var volume = Assert.Single(nats.Items("spec", "template", "spec", "volumes"), v => v.Items("projected", "sources").Any(src => src.Text("configMap", "name") == authMap.Text("metadata", "name")));
        Assert.Contains(volume.Items("projected", "sources"), src => src.Text("configMap", "name") == "nats-config");
        var container = nats.Containers().Single();
        Assert.Contains(container.Items("volumeMounts"), m => m.Text("name") == volume.Text("name") && m.Text("mountPath") == "/etc/nats");
        Assert.Contains("-c", container.Items("args").Select(a => ((YamlScalarNode)a).Value));
        Assert.Contains("/etc/nats/nats.conf", container.Items("args").Select(a => ((YamlScalarNode)a).Value));
        Assert.Contains("include ./auth.conf", docs.Named("ConfigMap", "nats-config")!.Text("data", "nats.conf"), StringComparison.Ordinal);
        Assert.Contains(container.Items("envFrom"), e => e.Text("secretRef", "name") == "nats-credentials");
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void NoService_ExposesTheNatsMonitoringPort(string overlay)
    {
        var natsServices = Render(overlay).OfKind("Service").Where(s => s.Text("spec", "selector", "app") == "nats").ToList();
        Assert.NotEmpty(natsServices);
        Assert.All(natsServices, service => Assert.DoesNotContain(service.Items("spec", "ports"),
            p => p.Text("port") == "8222" || p.Text("targetPort") is "8222" or "monitor"));
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EveryServiceOnNats_ConnectsAsItsOwnUser_WithItsPasswordFromTheSecret(string overlay)
    {
        var onNats = Render(overlay).OfKind("Deployment").Where(d => d.Containers().Single().Env("NATS_URL") is not null).ToList();
        Assert.Equal(["auth", "expiration", "orders", "payments", "tickets"], onNats.Select(d => d.Text("metadata", "name")).Order());
        Assert.All(onNats, deployment =>
        {
            var name = deployment.Text("metadata", "name")!;
            var container = deployment.Containers().Single();
            Assert.Equal(name, container.Env("NATS_USER"));
            var password = container.Items("env").OfType<YamlMappingNode>().Single(e => e.Text("name") == "NATS_PASSWORD");
            Assert.Equal("nats-credentials", password.Text("valueFrom", "secretKeyRef", "name"));
            Assert.Equal($"NATS_{name.ToUpperInvariant()}_PASSWORD", password.Text("valueFrom", "secretKeyRef", "key"));
            Assert.Contains(name, Users);
        });
    }

    [Fact]
    public void EveryUserOfThePermissionFile_HasItsPasswordKeyDocumented_AndGeneratedByClusterUp()
    {
        var readme = File.ReadAllText(Repo.PathOf("infra", "README.md"));
        var clusterUp = File.ReadAllText(Repo.PathOf("infra", "cluster-up.sh"));
        Assert.Contains("admin", Users);
        Assert.All(Users, user =>
        {
            Assert.Contains($"`NATS_{user.ToUpperInvariant()}_PASSWORD`", readme, StringComparison.Ordinal);
            Assert.Contains($" {user.ToUpperInvariant()}", clusterUp[clusterUp.IndexOf("nats-credentials", StringComparison.Ordinal)..], StringComparison.Ordinal);
        });
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void ProvisionJob_RunsTheCliAsAdmin_WithTheServicesStreamSettings(string overlay)
    {
        var docs = Render(overlay);
        var job = docs.Named("Job", "nats-provision");
        Assert.NotNull(job);
        var container = job.Containers().Single();
        Assert.Contains("ticketing-cli", container.Text("image")!.Replace('/', '-'), StringComparison.Ordinal);
        Assert.Equal(["nats", "provision"], container.Items("args").Select(a => ((YamlScalarNode)a).Value));
        Assert.Equal("nats://nats:4222", container.Env("NATS_URL"));
        Assert.Equal("admin", container.Env("NATS_USER"));
        var password = container.Items("env").OfType<YamlMappingNode>().Single(e => e.Text("name") == "NATS_PASSWORD");
        Assert.Equal(("nats-credentials", "NATS_ADMIN_PASSWORD"), (password.Text("valueFrom", "secretKeyRef", "name"), password.Text("valueFrom", "secretKeyRef", "key")));
        Assert.Equal("true", job.Text("spec", "template", "spec", "securityContext", "runAsNonRoot"));
        Assert.Equal("false", job.Text("spec", "template", "spec", "automountServiceAccountToken"));

        // The streams it creates have exactly the limits every service expects (a service only warns about a difference).
        string[] settings = ["NATS_STREAM_REPLICAS", "NATS_STREAM_MAX_BYTES", "NATS_DEADLETTER_MAX_BYTES", "NATS_STREAM_MAX_AGE_DAYS", "NATS_ACK_WAIT_MS"];
        var services = docs.OfKind("Deployment").Select(d => d.Containers().Single()).Where(c => c.Env("NATS_STREAM_REPLICAS") is not null).ToList();
        Assert.NotEmpty(services);
        Assert.All(services, service => Assert.All(settings, setting => Assert.Equal(service.Env(setting), container.Env(setting))));
    }
}
