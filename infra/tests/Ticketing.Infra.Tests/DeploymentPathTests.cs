using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Ticketing.Infra.Tests;

/// <summary>
/// The deployment path (issue: from git push to a running cluster), checked where a rendered manifest, a workflow
/// or a script can show it: NATS discovery and sizing, start-up and shutdown of every service, images never
/// <c>latest</c> and lower-cased, the production overlay's scaling and budgets, the skaffold inner loop, each
/// deploy gated on its tests, the cluster script.
/// </summary>
public sealed partial class DeploymentPathTests
{
    public static TheoryData<string> Overlays() => ["k8s-dev", "k8s-prod", "k8s-prod-gateway", "k8s-dev-watch"];

    public static TheoryData<string> Services() => [.. Repo.Services];

    private static IReadOnlyList<YamlMappingNode> Render(string overlay)
    {
        Skip.If(Repo.Kubectl is null, Repo.NoKubectl);
        return Repo.Render(overlay);
    }

    private static IEnumerable<string> Strings(YamlNode? node) => node is YamlSequenceNode seq ? seq.Children.OfType<YamlScalarNode>().Select(s => s.Value!) : [];

    private static string Workflow(string name) => File.ReadAllText(Repo.PathOf(".github", "workflows", name));

    private static IEnumerable<string> MessagingServices() =>
        Repo.Services.Where(s => Repo.SourceOf(s).Contains("AddMessaging(", StringComparison.Ordinal));

    // --- NATS -----------------------------------------------------------------------------------------

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void NatsStatefulSet_IsGovernedByAHeadlessServiceThatPublishesNotReadyAddresses(string overlay)
    {
        var docs = Render(overlay);
        var nats = docs.Named("StatefulSet", "nats")!;
        var governing = docs.Named("Service", nats.Text("spec", "serviceName")!);
        Assert.NotNull(governing);
        Assert.Equal("None", governing.Text("spec", "clusterIP"));
        Assert.Equal("true", governing.Text("spec", "publishNotReadyAddresses"));
        Assert.Contains(governing.Items("spec", "ports"), p => p.Text("port") == "6222");
    }

    [SkippableFact]
    public void ProdNatsRoutes_NameEveryServerThroughTheHeadlessService()
    {
        var docs = Render("k8s-prod");
        var nats = docs.Named("StatefulSet", "nats")!;
        var headless = nats.Text("spec", "serviceName");
        var replicas = int.Parse(nats.Text("spec", "replicas")!, CultureInfo.InvariantCulture);
        var routes = Route().Matches(docs.Named("ConfigMap", "nats-config")!.Text("data", "nats.conf")!).Select(m => m.Groups["host"].Value).ToList();
        Assert.Equal(Enumerable.Range(0, replicas).Select(i => $"nats-{i}.{headless}"), routes);
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void NatsImage_IsAPinnedCurrentRelease(string overlay)
    {
        var image = Render(overlay).Named("StatefulSet", "nats")!.Containers().Single().Text("image")!;
        var match = NatsImage().Match(image);
        Assert.True(match.Success, $"{image} is not nats:2.<minor>[.<patch>]...");
        Assert.True(int.Parse(match.Groups["minor"].Value, CultureInfo.InvariantCulture) >= 11, $"{image} is older than NATS 2.11");
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void JetStream_VolumeHoldsMaxFileStore_WhichHoldsEveryServicesStreamLimits(string overlay)
    {
        var docs = Render(overlay);
        var nats = docs.Named("StatefulSet", "nats")!;
        var volume = Bytes(nats.Items("spec", "volumeClaimTemplates").Single().Text("spec", "resources", "requests", "storage")!);
        var conf = docs.Named("ConfigMap", "nats-config")!.Text("data", "nats.conf")!;
        var maxFileStore = long.Parse(MaxFileStore().Match(conf).Groups["bytes"].Value, CultureInfo.InvariantCulture);
        Assert.True(maxFileStore <= volume, $"max_file_store {maxFileStore} > volume {volume}");

        var limits = MessagingServices().Select(service =>
        {
            var container = docs.Named("Deployment", service)!.Containers().Single();
            var stream = container.Env("NATS_STREAM_MAX_BYTES");
            var deadLetters = container.Env("NATS_DEADLETTER_MAX_BYTES");
            Assert.True(stream is not null && deadLetters is not null, $"{service} leaves the stream limits to its defaults");
            Assert.NotNull(container.Env("NATS_STREAM_MAX_AGE_DAYS"));
            return (stream: long.Parse(stream, CultureInfo.InvariantCulture), deadLetters: long.Parse(deadLetters, CultureInfo.InvariantCulture));
        }).ToList();
        Assert.NotEmpty(limits);
        Assert.Single(limits.Distinct()); // services that disagree leave the stream as the first one made it

        // Each server holds at most one replica of each stream: both streams must fit one server's store.
        var (streamBytes, deadLetterBytes) = limits[0];
        Assert.True(streamBytes + deadLetterBytes <= maxFileStore, $"streams {streamBytes}+{deadLetterBytes} > max_file_store {maxFileStore}");
    }

    // --- every service Deployment ---------------------------------------------------------------------

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EveryServiceDeployment_HasAStartupProbe_APreStopSleep_NoServiceAccountToken_AndSizedEmptyDirs(string overlay)
    {
        var docs = Render(overlay);
        Assert.All(Repo.Services, service =>
        {
            var deployment = docs.Named("Deployment", service)!;
            var pod = deployment.At("spec", "template", "spec")!;
            var container = deployment.Containers().Single();
            Assert.True(container.Text("startupProbe", "httpGet", "path") is not null, $"{service} has no HTTP startupProbe");
            var budget = int.Parse(container.Text("startupProbe", "periodSeconds")!, CultureInfo.InvariantCulture)
                * int.Parse(container.Text("startupProbe", "failureThreshold")!, CultureInfo.InvariantCulture);
            Assert.True(budget >= 120, $"{service}'s startupProbe gives up after {budget} s");
            var sleep = container.Text("lifecycle", "preStop", "sleep", "seconds");
            Assert.True(sleep is not null, $"{service} has no preStop sleep (the native action: images may have no shell)");
            var grace = int.Parse(pod.Text("terminationGracePeriodSeconds") ?? "30", CultureInfo.InvariantCulture);
            Assert.True(int.Parse(sleep, CultureInfo.InvariantCulture) < grace, $"{service}: preStop {sleep} s >= grace {grace} s");
            Assert.Equal("false", pod.Text("automountServiceAccountToken"));
            Assert.All(pod.Items("volumes").Where(v => v.At("emptyDir") is not null),
                v => Assert.False(string.IsNullOrEmpty(v.Text("emptyDir", "sizeLimit")), $"{service}: emptyDir {v.Text("name")} has no sizeLimit"));
        });
    }

    // --- images ---------------------------------------------------------------------------------------

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EveryImage_HasATagOrDigest_NeverLatest(string overlay)
    {
        var images = Render(overlay).SelectMany(d => d.Containers()).Select(c => c.Text("image")!).ToList();
        Assert.NotEmpty(images);
        Assert.All(images, image =>
        {
            Assert.False(image.EndsWith(":latest", StringComparison.Ordinal), image);
            var local = image.StartsWith("ticketing/", StringComparison.Ordinal) && overlay.StartsWith("k8s-dev", StringComparison.Ordinal);
            Assert.True(local || image.Contains('@', StringComparison.Ordinal) || image[(image.LastIndexOf('/') + 1)..].Contains(':', StringComparison.Ordinal),
                $"{image} has neither tag nor digest (skaffold replaces only ticketing/* in the dev overlays)");
        });
    }

    [SkippableFact]
    public void ProdImages_AreLowerCase_AndOnlyPlaceholdersTheWorkflowsReplace()
    {
        var images = Render("k8s-prod").SelectMany(d => d.Containers()).Select(c => c.Text("image")!).ToList();
        Assert.All(images, image => Assert.Equal(image.ToLowerInvariant(), image));
        Assert.All(Repo.Services, service => Assert.Contains($"ghcr.io/owner/ticketing-{service}:set-by-deploy", images));
    }

    [SkippableFact]
    public void PinImages_LowerCasesTheOwner_PinsByDigest_AndKeepsRunningImages()
    {
        Skip.If(Repo.Kubectl is null, Repo.NoKubectl);
        var dir = Directory.CreateTempSubdirectory("pinned-");
        try
        {
            var digest = "sha256:" + new string('a', 64);
            var (code, _, error) = Run("bash", Repo.PathOf("infra", "pin-images.sh"), dir.FullName, "My-Org",
                $"auth={digest}", "tickets=ghcr.io/my-org/ticketing-tickets:sha-0123abc");
            Assert.True(code == 0, error);
            var (renderCode, output, renderError) = Run(Repo.Kubectl!, "kustomize", dir.FullName);
            Assert.True(renderCode == 0, renderError);
            var docs = Yaml.Documents(output);
            Assert.Equal($"ghcr.io/my-org/ticketing-auth@{digest}", docs.Named("Deployment", "auth")!.Containers().Single().Text("image"));
            Assert.Equal("ghcr.io/my-org/ticketing-tickets:sha-0123abc", docs.Named("Deployment", "tickets")!.Containers().Single().Text("image"));

            var (latestCode, _, latestError) = Run("bash", Repo.PathOf("infra", "pin-images.sh"), dir.FullName, "o", "auth=ghcr.io/o/ticketing-auth:latest");
            Assert.NotEqual(0, latestCode);
            Assert.Contains("latest", latestError, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Workflows_NeverUseLatest_AndLowerCaseTheirRegistryPaths()
    {
        var files = Directory.GetFiles(Repo.PathOf(".github", "workflows"), "*.yml");
        Assert.All(files, file =>
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain(":latest", text, StringComparison.Ordinal);
            Assert.DoesNotContain("ghcr.io/${{ github.repository_owner }}", text, StringComparison.Ordinal);
            foreach (Match ghcr in Ghcr().Matches(text))
            {
                Assert.True(ghcr.Value.Contains(",,}", StringComparison.Ordinal), $"{Path.GetFileName(file)}: {ghcr.Value} is not lower-cased");
            }
        });
        Assert.Contains("${GITHUB_REPOSITORY_OWNER,,}", Workflow("_deploy-service.yml"), StringComparison.Ordinal);
    }

    // --- production overlay ---------------------------------------------------------------------------

    [SkippableFact]
    public void ProdOverlay_ScalesEveryHttpServiceWithAnHpa_ThatOwnsTheReplicaCount()
    {
        var docs = Render("k8s-prod");
        var routed = docs.OfKind("Ingress").Single().Items("spec", "rules").SelectMany(r => r.Items("http", "paths"))
            .Select(p => p.Text("backend", "service", "name")!).Distinct().ToList();
        Assert.NotEmpty(routed);
        Assert.All(routed, service =>
        {
            var hpa = docs.OfKind("HorizontalPodAutoscaler").SingleOrDefault(h => h.Text("spec", "scaleTargetRef", "name") == service);
            Assert.True(hpa is not null, $"{service} has no HPA");
            Assert.Equal("Deployment", hpa.Text("spec", "scaleTargetRef", "kind"));
            Assert.True(int.Parse(hpa.Text("spec", "minReplicas")!, CultureInfo.InvariantCulture) >= 2);
            Assert.Null(docs.Named("Deployment", service)!.Text("spec", "replicas")); // an apply must not reset what the HPA scaled
            Assert.False(string.IsNullOrEmpty(docs.Named("Deployment", service)!.Containers().Single().Text("resources", "requests", "cpu")), $"{service}: a CPU utilization target needs a CPU request");
        });
    }

    [SkippableFact]
    public void ProdOverlay_BudgetsAndSpreadsEveryServiceAndNats()
    {
        var docs = Render("k8s-prod");
        var budgets = docs.OfKind("PodDisruptionBudget").ToList();
        foreach (var name in Repo.Services.Append("nats"))
        {
            var workload = docs.Named("Deployment", name) ?? docs.Named("StatefulSet", name)!;
            var labels = workload.At("spec", "template", "metadata", "labels") as YamlMappingNode;
            Assert.True(budgets.Any(b => b.At("spec", "selector", "matchLabels") is YamlMappingNode selector
                && selector.Children.All(kv => labels!.Children.TryGetValue(kv.Key, out var v) && v.Equals(kv.Value))), $"{name} has no PodDisruptionBudget");
            var antiAffinity = workload.At("spec", "template", "spec", "affinity", "podAntiAffinity");
            Assert.True(antiAffinity is not null, $"{name} has no pod anti-affinity");
        }

        var nats = docs.Named("StatefulSet", "nats")!;
        Assert.Equal("3", nats.Text("spec", "replicas"));
        Assert.NotEmpty(nats.Items("spec", "template", "spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"));
    }

    [SkippableFact]
    public void ProdOverlay_SendsTelemetryToACollectorThatExists()
    {
        var docs = Render("k8s-prod");
        Assert.All(Repo.Services, service =>
        {
            var endpoint = docs.Named("Deployment", service)!.Containers().Single().Env("OTEL_EXPORTER_OTLP_ENDPOINT");
            Assert.NotNull(endpoint);
            var uri = new Uri(endpoint);
            var target = docs.Named("Service", uri.Host);
            Assert.True(target is not null, $"{service} sends telemetry to {uri.Host}, which is no Service here");
            Assert.Contains(target.Items("spec", "ports"), p => p.Text("port") == uri.Port.ToString(CultureInfo.InvariantCulture));
        });
    }

    [SkippableFact]
    public void GatewayOverlay_ReplacesTheIngress_WithTheSameRoutes()
    {
        var gateway = Render("k8s-prod-gateway");
        Assert.Empty(gateway.OfKind("Ingress"));
        Assert.NotNull(gateway.OfKind("Gateway").SingleOrDefault());
        var ingress = Render("k8s-prod").OfKind("Ingress").Single().Items("spec", "rules").SelectMany(r => r.Items("http", "paths"))
            .Select(p => (p.Text("path"), p.Text("backend", "service", "name"), p.Text("backend", "service", "port", "number"))).ToHashSet();
        var routes = gateway.OfKind("HTTPRoute").SelectMany(r => r.Items("spec", "rules"))
            .SelectMany(rule => rule.Items("matches").Select(m => (m.Text("path", "value"), rule.Items("backendRefs").Single().Text("name"), rule.Items("backendRefs").Single().Text("port"))))
            .ToHashSet();
        Assert.Equal(ingress.Order(), routes.Order());
        Assert.All(routes, route => Assert.NotNull(gateway.Named("Service", route.Item2!)));
    }

    // --- skaffold -------------------------------------------------------------------------------------

    [SkippableFact]
    public void Skaffold_DevProfile_SyncsSourcesIntoDotnetWatch_AndForwardsTheUsefulPorts()
    {
        var skaffold = Yaml.File("skaffold.yaml").Single();
        Assert.Equal("skaffold/v4beta13", skaffold.Text("apiVersion"));
        var dev = skaffold.Items("profiles").SingleOrDefault(p => p.Text("name") == "dev");
        Assert.NotNull(dev);
        var artifacts = dev.Items("build", "artifacts").ToList();
        Assert.Equal(Repo.Images.Order(), artifacts.Select(a => a.Text("image")).Order());
        Assert.All(artifacts.Where(a => Repo.Services.Contains(a.Text("image")!["ticketing/".Length..])), artifact =>
        {
            var service = artifact.Text("image")!["ticketing/".Length..];
            var sync = artifact.Items("sync", "manual").Select(s => s.Text("src")!).ToList();
            Assert.Contains($"{service}/src/**/*.cs", sync);
            Assert.Contains(sync, s => s.StartsWith("common/", StringComparison.Ordinal));
            var dockerfile = File.ReadAllText(Repo.PathOf(artifact.Text("docker", "dockerfile")!));
            Assert.Contains("dotnet watch", dockerfile, StringComparison.Ordinal);
            var project = artifact.Text("docker", "buildArgs", "PROJECT")!;
            Assert.True(Directory.Exists(Repo.PathOf(project)), $"{project} does not exist");
        });
        var devPaths = Strings(dev.At("manifests", "kustomize", "paths")).ToList();
        Assert.NotEmpty(devPaths);
        Assert.All(devPaths, path => Render(path["infra/".Length..]));

        var forwards = skaffold.Items("portForward").Concat(dev.Items("portForward")).ToList();
        Assert.Contains(forwards, f => f.Text("resourceName") == "ingress-nginx-controller");
        Assert.Contains(forwards, f => f.Text("resourceType") == "pod" && f.Text("resourceName") == "nats-0" && f.Text("port") == "8222");
        var docs = Render("k8s-dev");
        var mongos = docs.OfKind("StatefulSet").Select(s => s.Text("metadata", "name")!).Where(n => n.EndsWith("-mongo", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(mongos);
        Assert.All(mongos, mongo => Assert.Contains(forwards, f => f.Text("resourceName") == mongo && f.Text("port") == "27017"));
        Assert.All(forwards.Where(f => f.Text("resourceType") == "service"), f => Assert.True(docs.Named("Service", f.Text("resourceName")!) is not null || f.Text("namespace") == "ingress-nginx", $"port-forward to a missing Service {f.Text("resourceName")}"));
        var localPorts = forwards.Select(f => f.Text("localPort")).ToList();
        Assert.Equal(localPorts.Count, localPorts.Distinct().Count());
    }

    // --- workflows ------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Services))]
    public void DeployWorkflow_RunsOnlyAfterItsTestsPass_ScopedToItsPaths_OneAtATime(string service)
    {
        var deploy = Yaml.File(".github", "workflows", $"deploy-{service}.yml").Single();
        Assert.Equal(["main"], Strings(deploy.At("on", "push", "branches")));
        var paths = Strings(deploy.At("on", "push", "paths")).ToList();
        Assert.Contains($"{service}/**", paths);
        Assert.DoesNotContain(paths, p => Repo.Services.Where(s => s != service).Any(other => p.StartsWith($"{other}/", StringComparison.Ordinal) || p.Contains($"/{other}.yaml", StringComparison.Ordinal)));
        Assert.DoesNotContain("**", paths);

        Assert.Contains(service, deploy.Text("concurrency", "group")!, StringComparison.Ordinal);
        Assert.Equal("false", deploy.Text("concurrency", "cancel-in-progress"));
        Assert.True(deploy.At("permissions") is YamlMappingNode { Children.Count: 0 }, "top-level permissions must be {} (each job asks for what it needs)");

        var jobs = (YamlMappingNode)deploy.At("jobs")!;
        var tests = jobs.Children.Single(j => j.Value.Text("uses") == $"./.github/workflows/tests-{service}.yml");
        var roll = jobs.Children.Single(j => j.Value.Text("uses") == "./.github/workflows/_deploy-service.yml").Value;
        var needs = roll.At("needs") is YamlScalarNode one ? [one.Value!] : Strings(roll.At("needs")).ToList();
        Assert.Contains(((YamlScalarNode)tests.Key).Value, needs);
        Assert.Equal(service, roll.Text("with", "service"));
        Assert.Equal($"{service}/Dockerfile", roll.Text("with", "dockerfile"));
        Assert.Equal("write", roll.Text("permissions", "packages"));
        Assert.Null(tests.Value.Text("permissions", "packages"));

        var testsWorkflow = Yaml.File(".github", "workflows", $"tests-{service}.yml").Single();
        Assert.NotNull(testsWorkflow.At("on", "workflow_call") ?? (((YamlMappingNode)testsWorkflow.At("on")!).Children.ContainsKey(new YamlScalarNode("workflow_call")) ? new YamlScalarNode("") : null));
    }

    [Fact]
    public void CliDeploy_RunsAfterItsTests_AndRunsTheProvisioningJobAgainWithTheNewImage()
    {
        var deploy = Yaml.File(".github", "workflows", "deploy-cli.yml").Single();
        var paths = Strings(deploy.At("on", "push", "paths")).ToList();
        Assert.Contains("tools/**", paths);
        Assert.Contains("common/src/**", paths);                       // the consumer catalogue the Job provisions
        Assert.Contains("infra/k8s/nats-provision.yaml", paths);
        Assert.Equal("false", deploy.Text("concurrency", "cancel-in-progress"));
        var jobs = (YamlMappingNode)deploy.At("jobs")!;
        var tests = jobs.Children.Single(j => j.Value.Text("uses") == "./.github/workflows/tests-cli.yml");
        var roll = jobs.Children.Single(j => j.Value.Text("uses") == "./.github/workflows/_deploy-service.yml").Value;
        Assert.Equal(((YamlScalarNode)tests.Key).Value, roll.Text("needs"));
        Assert.Equal("cli", roll.Text("with", "service"));
        Assert.Equal("tools/Ticketing.Cli/Dockerfile", roll.Text("with", "dockerfile"));
        Assert.Equal("nats-provision", roll.Text("with", "job"));
        // The Job's image is the one pin-images.sh pins for "cli", and its label is what the apply selects.
        var job = File.ReadAllText(Repo.PathOf("infra", "k8s", "nats-provision.yaml"));
        Assert.Contains("image: ticketing/cli", job, StringComparison.Ordinal);
        Assert.Contains("app: nats-provision", job, StringComparison.Ordinal);
    }

    [Fact]
    public void ReusableDeploy_PushesByCommit_RollsOutByDigestThroughKustomize_OnlyItsOwnObjects()
    {
        var text = Workflow("_deploy-service.yml");
        var workflow = Yaml.Documents(text).Single();
        Assert.NotNull(workflow.At("on", "workflow_call"));
        Assert.Contains("sha-${{ github.sha }}", text, StringComparison.Ordinal);
        Assert.Contains("steps.build.outputs.digest", text, StringComparison.Ordinal);
        Assert.Contains("infra/pin-images.sh", text, StringComparison.Ordinal);
        Assert.Contains("kubectl apply -k \"$RUNNER_TEMP/pinned\" -l \"app=$SERVICE\"", text, StringComparison.Ordinal);
        // Job mode (the CLI's nats-provision): the finished Job is replaced, never patched (its pod template is immutable).
        Assert.Contains("kubectl delete job \"$JOB\" --ignore-not-found", text, StringComparison.Ordinal);
        Assert.Contains("kubectl wait --for=condition=complete \"job/$JOB\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("kubectl set image", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DeployManifests_ValidatesFirst_AndKeepsTheImagesThatRun()
    {
        var text = Workflow("deploy-manifests.yml");
        var workflow = Yaml.Documents(text).Single();
        Assert.Equal("./.github/workflows/_validate-infra.yml", workflow.Text("jobs", "validate", "uses"));
        Assert.Equal("validate", workflow.Text("jobs", "apply", "needs"));
        Assert.Contains("kubectl get deployment", text, StringComparison.Ordinal);
        Assert.Contains("infra/pin-images.sh", text, StringComparison.Ordinal);
        Assert.NotNull(workflow.Text("concurrency", "group"));
        Assert.DoesNotContain(Strings(workflow.At("on", "push", "paths")), p => p == "infra/**");
    }

    [Fact]
    public void Validation_RunsPinnedKubeconformAndActionlint_OnEveryOverlay_InTheTestAndManifestWorkflows()
    {
        var text = Workflow("_validate-infra.yml");
        Assert.Matches(@"KUBECONFORM_VERSION: v\d+\.\d+\.\d+", text);
        Assert.Matches(@"ACTIONLINT_VERSION: \d+\.\d+\.\d+", text);
        Assert.Contains("| kubeconform -strict", text, StringComparison.Ordinal);
        Assert.Contains("actionlint", text, StringComparison.Ordinal);
        foreach (var overlay in Directory.GetDirectories(Repo.PathOf("infra")).Where(d => File.Exists(Path.Combine(d, "kustomization.yaml")))
                     .Select(Path.GetFileName).Where(o => o is not "k8s" and not "k8s-dev-watch" and not "nats")) // nats: a part of k8s
        {
            Assert.Contains($"infra/{overlay}", text, StringComparison.Ordinal);
        }

        Assert.Contains("_validate-infra.yml", Workflow("tests-infra.yml"), StringComparison.Ordinal);
        Assert.Contains("_validate-infra.yml", Workflow("deploy-manifests.yml"), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryWorkflow_DeclaresItsPermissions()
    {
        Assert.All(Directory.GetFiles(Repo.PathOf(".github", "workflows"), "*.yml"), file =>
            Assert.True(Yaml.Documents(File.ReadAllText(file)).Single().At("permissions") is not null, $"{Path.GetFileName(file)} has no permissions:"));
    }

    [Fact]
    public void PublishCommon_TestsBeforeItPacks_ValidatesAgainstTheLastVersion_AndSkipsDuplicates()
    {
        var text = Workflow("publish-common.yml");
        var test = text.IndexOf("dotnet test", StringComparison.Ordinal);
        var pack = text.IndexOf("dotnet pack", StringComparison.Ordinal);
        Assert.True(test >= 0 && test < pack, "publish-common must run the tests before it packs");
        Assert.Contains("EnablePackageValidation=true", text, StringComparison.Ordinal);
        Assert.Contains("PackageValidationBaselineVersion", text, StringComparison.Ordinal);
        Assert.Contains("--skip-duplicate", text, StringComparison.Ordinal);
    }

    // --- the cluster script ---------------------------------------------------------------------------

    public static TheoryData<string> Scripts() => ["cluster-up.sh", "pin-images.sh", "mongo-secrets.sh", "pin-base-images.sh"];

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_PassesBashN(string script)
    {
        var (code, _, error) = Run("bash", "-n", Repo.PathOf("infra", script));
        Assert.True(code == 0, error);
    }

    [SkippableTheory]
    [MemberData(nameof(Scripts))]
    public void Script_PassesShellcheck(string script)
    {
        var shellcheck = new[] { "/usr/bin/shellcheck", "/usr/local/bin/shellcheck" }.FirstOrDefault(File.Exists);
        Skip.If(shellcheck is null, "shellcheck is not installed (./test.sh installs it: apt-get install shellcheck)");
        var (code, output, error) = Run(shellcheck, Repo.PathOf("infra", script));
        Assert.True(code == 0, output + error);
    }

    [Fact]
    public void ClusterUp_WithoutAFlavour_PrintsUsage_AndChangesNothing()
    {
        var (code, _, error) = Run("bash", Repo.PathOf("infra", "cluster-up.sh"));
        Assert.Equal(2, code);
        Assert.Contains("kind|minikube|docker-desktop", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterUp_PinsIngressNginx_AndKindMapsThePortsToAnIngressReadyNode()
    {
        var script = File.ReadAllText(Repo.PathOf("infra", "cluster-up.sh"));
        Assert.Matches(@"INGRESS_NGINX_VERSION=controller-v\d+\.\d+\.\d+", script);
        Assert.Contains("jwt-secret", script, StringComparison.Ordinal);
        Assert.Contains("stripe-secret", script, StringComparison.Ordinal);
        Assert.Contains("/etc/hosts", script, StringComparison.Ordinal);
        var kind = Yaml.File("infra", "kind-config.yaml").Single();
        var node = kind.Items("nodes").Single();
        Assert.Contains("ingress-ready=true", string.Join('\n', Strings(node.At("kubeadmConfigPatches"))), StringComparison.Ordinal);
        Assert.Equal(["80", "443"], node.Items("extraPortMappings").Select(m => m.Text("hostPort")!));
    }

    [Fact]
    public void InfraReadme_WalksThroughEveryCommand()
    {
        var readme = File.ReadAllText(Repo.PathOf("infra", "README.md"));
        foreach (var command in new[]
                 {
                     "infra/cluster-up.sh kind", "kind create cluster", "minikube start", "docker-desktop", "ingress-ready",
                     "kubectl create secret generic jwt-secret", "kubectl create secret generic stripe-secret", "/etc/hosts",
                     "skaffold dev", "skaffold dev -p dev", "imagePullSecrets", "OTEL_EXPORTER_OTLP_ENDPOINT", "max_file_store",
                     "NATS_STREAM_MAX_BYTES", "k8s-prod-gateway",
                 })
        {
            Assert.Contains(command, readme, StringComparison.Ordinal);
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------

    private static long Bytes(string quantity)
    {
        var match = Quantity().Match(quantity);
        Assert.True(match.Success, quantity);
        var number = long.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        return number * match.Groups["unit"].Value switch
        {
            "Ki" => 1L << 10, "Mi" => 1L << 20, "Gi" => 1L << 30, "Ti" => 1L << 40,
            "k" => 1000L, "M" => 1000_000L, "G" => 1000_000_000L, "" => 1L,
            var unit => throw new InvalidOperationException($"unit {unit}"),
        };
    }

    private static (int Code, string Output, string Error) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    [GeneratedRegex(@"nats://(?<host>[a-z0-9.-]+):6222")]
    private static partial Regex Route();

    [GeneratedRegex(@"^nats:2\.(?<minor>\d+)(\.\d+)?(-[a-z0-9]+)?(@sha256:[0-9a-f]{64})?$")]
    private static partial Regex NatsImage();

    [GeneratedRegex(@"max_file_store:\s*(?<bytes>\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex MaxFileStore();

    [GeneratedRegex(@"^(?<n>\d+)(?<unit>[KMGT]i|[kMG])?$")]
    private static partial Regex Quantity();

    [GeneratedRegex(@"ghcr\.io/[^\s""'/]+")]
    private static partial Regex Ghcr();
}
