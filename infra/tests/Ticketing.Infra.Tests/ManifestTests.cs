using YamlDotNet.RepresentationModel;

namespace Ticketing.Infra.Tests;

/// <summary>
/// The Kubernetes manifests, rendered with kustomize, checked for what a cluster would tell you too late.
/// Services are discovered from the repository (folders with a Dockerfile) and their needs from their code,
/// so a new service is checked without touching these tests.
/// </summary>
public sealed class ManifestTests
{
    public static TheoryData<string> Overlays() => ["k8s-dev", "k8s-prod"];

    public static TheoryData<string> Services() => [.. Repo.Services];

    private static IReadOnlyList<YamlMappingNode> Render(string overlay)
    {
        Skip.If(Repo.Kubectl is null, Repo.NoKubectl);
        return Repo.Render(overlay);
    }

    [Fact]
    public void Repository_WhenScannedForServices_FindsTickets()
    {
        Assert.Contains("tickets", Repo.Services);
    }

    [SkippableTheory]
    [InlineData("k8s-dev", "false")]
    [InlineData("k8s-prod", "true")]
    public void SessionCookie_IsSecureInProduction_AndPlainOnTheHttpDevHost(string overlay, string secure)
    {
        var auth = Render(overlay).Named("Deployment", "auth");
        Assert.NotNull(auth);
        Assert.Equal(secure, Assert.Single(auth.Containers()).Env("COOKIE_SECURE"));
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EveryService_HasADeploymentAndAServiceOnPort8080(string overlay)
    {
        var docs = Render(overlay);
        Assert.All(Repo.Services, service =>
        {
            Assert.NotNull(docs.Named("Deployment", service));
            var svc = docs.Named("Service", service);
            Assert.NotNull(svc);
            Assert.Contains(svc.Items("spec", "ports"), p => p.Text("port") == "8080");
        });
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EveryContainer_RunsAsNonRoot_WithProbesAndAMemoryLimit(string overlay)
    {
        var workloads = Render(overlay).Where(d => d.Text("kind") is "Deployment" or "StatefulSet").ToList();
        Assert.NotEmpty(workloads);
        Assert.All(workloads, workload =>
        {
            var name = workload.Text("metadata", "name");
            var podNonRoot = workload.Text("spec", "template", "spec", "securityContext", "runAsNonRoot") == "true";
            Assert.All(workload.Containers(), container =>
            {
                Assert.True(podNonRoot || container.Text("securityContext", "runAsNonRoot") == "true", $"{name} may run as root");
                Assert.Equal("false", container.Text("securityContext", "allowPrivilegeEscalation"));
                Assert.NotNull(container.At("readinessProbe"));
                Assert.NotNull(container.At("livenessProbe"));
                Assert.False(string.IsNullOrEmpty(container.Text("resources", "limits", "memory")), $"{name} has no memory limit");
            });
        });
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EveryServiceContainer_ProbesItsOwnHealthEndpoints(string overlay)
    {
        var docs = Render(overlay);
        Assert.All(Repo.Services, service =>
        {
            var container = docs.Named("Deployment", service)!.Containers().Single();
            Assert.Equal("/health/live", container.Text("livenessProbe", "httpGet", "path"));
            Assert.Equal("/health/ready", container.Text("readinessProbe", "httpGet", "path"));
        });
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EverySettingAServiceRequires_IsSet(string overlay)
    {
        var docs = Render(overlay);
        Assert.All(Repo.Services, service =>
        {
            var source = Repo.SourceOf(service);
            var container = docs.Named("Deployment", service)!.Containers().Single();
            if (source.Contains("AddSessionAuthentication(", StringComparison.Ordinal))
            {
                Assert.Equal("<from>", container.Env("JWT_KEY"));
            }

            if (source.Contains("AddMessaging(", StringComparison.Ordinal))
            {
                Assert.Equal("nats://nats:4222", container.Env("NATS_URL"));
                Assert.NotNull(docs.Named("Service", "nats"));
            }

            if (source.Contains("AddDocumentStorage(", StringComparison.Ordinal))
            {
                // In a cluster a service always uses its own MongoDB, never the embedded file store, as its own user:
                // the URI (with the password) comes from the database's Secret, never a literal (MongoAuthTests).
                Assert.Equal("<from>", container.Env("MONGO_URI"));
                Assert.NotNull(docs.Named("StatefulSet", $"{service}-mongo"));
                Assert.NotNull(docs.Named("Service", $"{service}-mongo"));
            }
        });
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EveryServiceUsingRedis_GetsREDIS_URL_OfARedisWithAnAppendOnlyFileOnAVolume(string overlay)
    {
        var docs = Render(overlay);
        var users = Repo.Services.Where(s => Repo.SourceOf(s).Contains("\"REDIS_URL\"", StringComparison.Ordinal)).ToList();
        Assert.Contains("expiration", users);
        Assert.All(users, service =>
        {
            var container = docs.Named("Deployment", service)!.Containers().Single();
            Assert.Equal("redis:6379", container.Env("REDIS_URL"));
        });

        var redis = docs.Named("StatefulSet", "redis");
        Assert.NotNull(redis);
        var args = redis.Containers().Single().Items("args").Select(a => ((YamlScalarNode)a).Value).ToList();
        Assert.Equal("yes", args[args.IndexOf("--appendonly") + 1]);
        Assert.Contains(redis.Containers().Single().Items("volumeMounts"), m => m.Text("mountPath") == args[args.IndexOf("--dir") + 1]);
        Assert.NotEmpty(redis.Items("spec", "volumeClaimTemplates"));
        Assert.Contains(docs.Named("Service", "redis")!.Items("spec", "ports"), p => p.Text("port") == "6379");
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void TheIngress_NeverRoutesToTheExpirationWorker(string overlay)
    {
        var ingress = Render(overlay).OfKind("Ingress").Single();
        var backends = ingress.Items("spec", "rules").SelectMany(r => r.Items("http", "paths")).Select(p => p.Text("backend", "service", "name"));
        Assert.DoesNotContain("expiration", backends);
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EverySecretReferenced_IsDocumentedInTheInfraReadme(string overlay)
    {
        var readme = File.ReadAllText(Repo.PathOf("infra", "README.md"));
        var secrets = Render(overlay)
            .SelectMany(d => d.Containers())
            .SelectMany(c => c.Items("env"))
            .Select(e => e.Text("valueFrom", "secretKeyRef", "name"))
            .OfType<string>()
            .Distinct()
            .ToList();
        Assert.NotEmpty(secrets);
        Assert.All(secrets, secret => Assert.Contains($"`{secret}`", readme, StringComparison.Ordinal));
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void IngressPaths_ReachExistingServicesAndPorts(string overlay)
    {
        var docs = Render(overlay);
        var ingress = Assert.Single(docs.OfKind("Ingress"));
        Assert.Equal("nginx", ingress.Text("spec", "ingressClassName"));
        var paths = ingress.Items("spec", "rules").SelectMany(r => r.Items("http", "paths")).ToList();
        Assert.NotEmpty(paths);
        Assert.All(paths, path =>
        {
            var name = path.Text("backend", "service", "name")!;
            var port = path.Text("backend", "service", "port", "number");
            var service = docs.Named("Service", name);
            Assert.True(service is not null, $"ingress path {path.Text("path")} goes to a missing Service {name}");
            Assert.Contains(service.Items("spec", "ports"), p => p.Text("port") == port);
        });
    }

    [SkippableFact]
    public void DevOverlay_ServesTheHostTicketingDev()
    {
        var ingress = Render("k8s-dev").OfKind("Ingress").Single();
        Assert.All(ingress.Items("spec", "rules"), rule => Assert.Equal("ticketing-dev", rule.Text("host")));
    }

    [SkippableFact]
    public void ProdOverlay_RunsAThreeNodeNatsCluster_AndReplicatesTheStreamThreeTimes()
    {
        var docs = Render("k8s-prod");
        Assert.Equal("3", docs.Named("StatefulSet", "nats")!.Text("spec", "replicas"));
        Assert.Contains("routes", docs.Named("ConfigMap", "nats-config")!.Text("data", "nats.conf"), StringComparison.Ordinal);
        Assert.All(Repo.Services.Where(s => Repo.SourceOf(s).Contains("AddMessaging(", StringComparison.Ordinal)), service =>
        {
            var container = docs.Named("Deployment", service)!.Containers().Single();
            Assert.Equal("3", container.Env("NATS_STREAM_REPLICAS"));
            Assert.Equal("nats://nats:4222", container.Env("NATS_URL"));
        });
    }

    [SkippableFact]
    public void EveryImage_IsBuiltBySkaffold()
    {
        var skaffold = Yaml.File("skaffold.yaml").Single();
        var artifacts = skaffold.Items("build", "artifacts").Select(a => a.Text("image")!).ToHashSet();
        var images = Render("k8s-dev").SelectMany(d => d.Containers()).Select(c => c.Text("image")!)
            .Where(i => i.StartsWith("ticketing/", StringComparison.Ordinal)).ToHashSet();
        Assert.Equal(Repo.Images.Order(), images.Order());
        Assert.Superset(images, artifacts);
    }
}
