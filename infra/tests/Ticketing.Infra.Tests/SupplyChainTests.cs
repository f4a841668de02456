using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Ticketing.Infra.Tests;

/// <summary>
/// The supply chain (infra/README.md, "Supply chain"): third-party actions pinned by commit SHA, least-privilege
/// permissions, secrets only through <c>env:</c>/<c>with:</c>, deploys behind the GitHub Environment
/// <c>production</c>, every base and third-party image pinned by digest (except a documented allow-list), and the
/// update path (Dependabot, <c>infra/pin-base-images.sh</c>) in place.
/// </summary>
public sealed partial class SupplyChainTests
{
    /// <summary>
    /// Images that may run by tag alone, each with the reason (also in infra/README.md). Remove an entry once the image
    /// is pinned (infra/pin-base-images.sh pins it where a registry can be reached); a stale entry fails a test.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> UnpinnedAllowed = new Dictionary<string, string>
    {
        ["otel/opentelemetry-collector-contrib:0.120.0"] =
            "no digest of this tag could be verified offline (not a Docker official image; run infra/pin-base-images.sh)",
    };

    private static readonly string[] OverlayNames = ["k8s-dev", "k8s-prod", "k8s-prod-gateway", "k8s-dev-watch"];

    private static List<string> WorkflowFiles() =>
        Directory.GetFiles(Repo.PathOf(".github", "workflows"), "*.yml").Select(f => Path.GetFileName(f)).Order().ToList();

    public static TheoryData<string> Workflows() => [.. WorkflowFiles()];

    public static TheoryData<string> Overlays() => [.. OverlayNames];

    private static YamlMappingNode Workflow(string file) => Yaml.File(".github", "workflows", file).Single();

    private static IEnumerable<(string Job, YamlMappingNode Body)> Jobs(YamlMappingNode workflow) =>
        ((YamlMappingNode)workflow.At("jobs")!).Children.Select(kv => (((YamlScalarNode)kv.Key).Value!, (YamlMappingNode)kv.Value));

    // --- actions --------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Workflows))]
    public void EveryThirdPartyAction_IsPinnedByCommitSha_WithItsTagInAComment(string file)
    {
        var lines = File.ReadAllLines(Repo.PathOf(".github", "workflows", file)).Where(l => UsesLine().IsMatch(l)).ToList();
        Assert.All(lines, line =>
        {
            var target = UsesLine().Match(line).Groups["target"].Value;
            if (target.StartsWith("./", StringComparison.Ordinal))
            {
                return; // a workflow of this repository, at this commit
            }

            Assert.True(PinnedAction().IsMatch(line), $"{file}: '{line.Trim()}' is not owner/repo@<40-hex commit> # v<tag>");
        });
    }

    [Fact]
    public void PinnedAction_Pattern_RefusesATagOrAShortSha()
    {
        Assert.Matches(PinnedAction(), "      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0");
        Assert.DoesNotMatch(PinnedAction(), "      - uses: actions/checkout@v4");
        Assert.DoesNotMatch(PinnedAction(), "      - uses: actions/checkout@11d5960 # v4.4.0");
        Assert.DoesNotMatch(PinnedAction(), "      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262");
    }

    // --- permissions and secrets ----------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Workflows))]
    public void EveryWorkflow_HasLeastPrivilegePermissions(string file)
    {
        var workflow = Workflow(file);
        Assert.True(workflow.At("permissions") is YamlMappingNode, $"{file}: top-level permissions must be a map ({{}} or scopes), never write-all/read-all");
        var blocks = new List<(string Where, YamlNode? Node)> { ("top", workflow.At("permissions")) };
        blocks.AddRange(Jobs(workflow).Select(j => (j.Job, j.Body.At("permissions"))));
        foreach (var (where, node) in blocks.Where(b => b.Node is not null))
        {
            Assert.True(node is YamlMappingNode, $"{file} ({where}): permissions must list scopes, not {node}");
            foreach (var (scope, level) in ((YamlMappingNode)node!).Children.Select(kv => (((YamlScalarNode)kv.Key).Value!, ((YamlScalarNode)kv.Value).Value!)))
            {
                if (level != "write")
                {
                    continue;
                }

                // The only write a workflow here needs: pushing an image or a package.
                Assert.True(scope == "packages", $"{file} ({where}): {scope}: write");
                Assert.True(file is "_deploy-service.yml" or "publish-common.yml" || file.StartsWith("deploy-", StringComparison.Ordinal),
                    $"{file} ({where}) asks for packages: write but publishes nothing");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void NoSecret_IsPastedIntoARunScript_OnlyPassedThroughEnvWithOrSecrets(string file)
    {
        var misplaced = new List<string>();
        Walk(Workflow(file), parentKey: null, path: file, misplaced);
        Assert.True(misplaced.Count == 0, string.Join('\n', misplaced));

        static void Walk(YamlNode node, string? parentKey, string path, List<string> misplaced)
        {
            switch (node)
            {
                case YamlMappingNode map:
                    foreach (var (key, value) in map.Children)
                    {
                        var name = ((YamlScalarNode)key).Value!;
                        Walk(value, name, $"{path}.{name}", misplaced);
                    }

                    break;
                case YamlSequenceNode seq:
                    var i = 0;
                    foreach (var item in seq.Children)
                    {
                        Walk(item, parentKey, $"{path}[{i++}]", misplaced);
                    }

                    break;
                case YamlScalarNode scalar when scalar.Value?.Contains("secrets.", StringComparison.Ordinal) == true
                                                && scalar.Value.Contains("${{", StringComparison.Ordinal):
                    // Allowed: a value of an env:, with: or secrets: entry (path ...env.NAME etc.), never run: or anything else.
                    var segments = path.Split('.');
                    var owner = segments.Length >= 2 ? segments[^2] : string.Empty;
                    if (owner is not ("env" or "with" or "secrets") || parentKey == "run")
                    {
                        misplaced.Add($"{path}: {scalar.Value}");
                    }

                    break;
            }
        }
    }

    [Fact]
    public void SecretCheck_WouldCatchASecretInARunScript()
    {
        var text = File.ReadAllText(Repo.PathOf(".github", "workflows", "publish-common.yml"));
        Assert.DoesNotContain("run: dotnet nuget push \"artifacts/packages/*.nupkg\" --source github --api-key \"${{ secrets", text, StringComparison.Ordinal);
        Assert.All(Directory.GetFiles(Repo.PathOf(".github", "workflows"), "*.yml"), f =>
            Assert.DoesNotMatch(@"run:[^\n]*\$\{\{\s*secrets\.", File.ReadAllText(f)));
    }

    [Fact]
    public void DeployJobs_RunInTheProductionEnvironment()
    {
        var deployJobs = WorkflowFiles()
            .SelectMany(file => Jobs(Workflow(file)).Select(job => (file, job.Job, job.Body)))
            .Where(j => j.Body.Items("steps").Any(s => s.Text("run")?.Contains("kubectl apply", StringComparison.Ordinal) == true))
            .ToList();
        Assert.Equal(["_deploy-service.yml/deploy", "deploy-manifests.yml/apply"], deployJobs.Select(j => $"{j.file}/{j.Job}").Order());
        Assert.All(deployJobs, j =>
            Assert.Equal("production", j.Body.Text("environment") ?? j.Body.Text("environment", "name")));
        Assert.Contains("environment", File.ReadAllText(Repo.PathOf("infra", "README.md")), StringComparison.Ordinal);
        Assert.Contains("required reviewers", File.ReadAllText(Repo.PathOf("infra", "README.md")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Checkouts_LeaveNoTokenBehind(string file)
    {
        var steps = Jobs(Workflow(file)).SelectMany(j => j.Body.Items("steps"))
            .Where(s => s.Text("uses")?.StartsWith("actions/checkout@", StringComparison.Ordinal) == true).ToList();
        Assert.All(steps, s => Assert.Equal("false", s.Text("with", "persist-credentials")));
    }

    // --- images ---------------------------------------------------------------------------------------

    /// <summary>Every Dockerfile of the repository (services and infra/dev).</summary>
    private static List<string> Dockerfiles() =>
        Directory.GetFiles(Repo.Root, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) == "Dockerfile" || f.EndsWith(".Dockerfile", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

    [Fact]
    public void EveryDockerfileBaseImage_IsPinnedByDigest()
    {
        var dockerfiles = Dockerfiles();
        Assert.Contains(dockerfiles, f => f.EndsWith(Path.Combine("infra", "dev", "watch.Dockerfile"), StringComparison.Ordinal));
        Assert.All(dockerfiles, file =>
        {
            var stages = new List<string>();
            foreach (var line in File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)))
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
                var image = words[1];
                if (!stages.Contains(image))
                {
                    Assert.True(Pinned().IsMatch(image), $"{Path.GetRelativePath(Repo.Root, file)}: FROM {image} is not pinned by digest");
                }

                if (words.Count >= 4 && words[2].Equals("AS", StringComparison.OrdinalIgnoreCase))
                {
                    stages.Add(words[3]);
                }
            }
        });
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EveryThirdPartyImage_InTheManifests_IsPinnedByDigest_ExceptTheAllowList(string overlay)
    {
        Skip.If(Repo.Kubectl is null, Repo.NoKubectl);
        var images = Repo.Render(overlay).SelectMany(d => d.Containers().Concat(
                d.Items("spec", "template", "spec", "initContainers").OfType<YamlMappingNode>()))
            .Select(c => c.Text("image")!).Distinct().ToList();
        Assert.NotEmpty(images);
        Assert.All(images, image =>
        {
            // Built here: skaffold replaces ticketing/* in the dev overlays, the deploy workflows pin ghcr.io/owner/* by digest.
            if (image.StartsWith("ticketing/", StringComparison.Ordinal) || image.StartsWith("ghcr.io/owner/ticketing-", StringComparison.Ordinal))
            {
                return;
            }

            Assert.True(Pinned().IsMatch(image) || UnpinnedAllowed.ContainsKey(image),
                $"{overlay}: {image} is not pinned by digest (run infra/pin-base-images.sh, or allow-list it with the reason)");
        });
    }

    [SkippableFact]
    public void TheAllowList_HasNoStaleEntry_AndIsDocumented()
    {
        Skip.If(Repo.Kubectl is null, Repo.NoKubectl);
        var running = OverlayNames.SelectMany(Repo.Render).SelectMany(d => d.Containers()).Select(c => c.Text("image")).ToHashSet();
        var readme = File.ReadAllText(Repo.PathOf("infra", "README.md"));
        Assert.All(UnpinnedAllowed.Keys, image =>
        {
            Assert.Contains(image, running);
            Assert.Contains(image, readme, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void KustomizeImagePins_KeepTheTagTheManifestsName()
    {
        var pins = Yaml.File("infra", "k8s", "kustomization.yaml").Single().Items("images")
            .Where(i => i.Text("newTag")?.Contains("@sha256:", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(pins);
        var manifests = Directory.GetFiles(Repo.PathOf("infra", "k8s"), "*.yaml").Select(File.ReadAllText).ToList();
        Assert.All(pins, pin =>
        {
            var name = pin.Text("name")!;
            var tag = pin.Text("newTag")!.Split('@')[0];
            Assert.Matches(@"^[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$", pin.Text("newTag")!);
            Assert.Contains(manifests, m => Regex.IsMatch(m, $@"image:\s*{Regex.Escape(name)}:{Regex.Escape(tag)}(@sha256:[0-9a-f]{{64}})?\s*$", RegexOptions.Multiline));
        });
    }

    [Fact]
    public void PinBaseImages_PinsDockerfilesManifestsKustomizationsAndWorkflows_AndCheckReportsStalePins()
    {
        var root = Directory.CreateTempSubdirectory("pin-base-");
        try
        {
            var old = "sha256:" + new string('1', 64);
            Write("svc/Dockerfile", $"FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build\nFROM build AS publish\nFROM --platform=linux/amd64 mcr.microsoft.com/dotnet/aspnet:10.0@{old} AS runtime\n");
            Write("infra/k8s/db.yaml", "spec:\n  containers:\n    - name: db\n      image: mongo:8.0\n    - name: app\n      image: ticketing/app\n    - name: deployed\n      image: ghcr.io/owner/ticketing-app:set-by-deploy\n");
            Write("infra/k8s/kustomization.yaml", $"images:\n  - name: nats\n    newTag: \"2.12.14-alpine@{old}\"\n  - name: ticketing/app\n    newTag: set-by-deploy\n");
            Write(".github/workflows/t.yml", $"      - run: docker run -d mongo:8.0@{old} --replSet rs0\n");
            Write("infra/resolve.sh", "#!/bin/sh\nprintf 'sha256:%s' \"$(printf '%s' \"$1\" | sha256sum | cut -c1-64)\"\n");
            var environment = new Dictionary<string, string> { ["PIN_ROOT"] = root.FullName, ["PIN_RESOLVER"] = "sh " + Path.Combine(root.FullName, "infra", "resolve.sh") };
            var script = Repo.PathOf("infra", "pin-base-images.sh");

            var (checkCode, checkOutput, _) = Shell.Run("bash", environment, script, "--check");
            Assert.Equal(1, checkCode);
            Assert.Contains("mongo:8.0 (unpinned)", checkOutput, StringComparison.Ordinal);
            Assert.Equal($"FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", File.ReadLines(Path.Combine(root.FullName, "svc", "Dockerfile")).First()); // --check writes nothing

            var (code, _, error) = Shell.Run("bash", environment, script);
            Assert.True(code == 0, error);
            string Digest(string reference) => "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(reference)));
            Assert.Equal(
                [$"FROM mcr.microsoft.com/dotnet/sdk:10.0@{Digest("mcr.microsoft.com/dotnet/sdk:10.0")} AS build", "FROM build AS publish",
                 $"FROM --platform=linux/amd64 mcr.microsoft.com/dotnet/aspnet:10.0@{Digest("mcr.microsoft.com/dotnet/aspnet:10.0")} AS runtime"],
                File.ReadAllLines(Path.Combine(root.FullName, "svc", "Dockerfile")));
            var manifest = File.ReadAllText(Path.Combine(root.FullName, "infra", "k8s", "db.yaml"));
            Assert.Contains($"image: mongo:8.0@{Digest("mongo:8.0")}\n", manifest, StringComparison.Ordinal);
            Assert.Contains("image: ticketing/app\n", manifest, StringComparison.Ordinal);
            Assert.Contains("image: ghcr.io/owner/ticketing-app:set-by-deploy\n", manifest, StringComparison.Ordinal);
            var kustomization = File.ReadAllText(Path.Combine(root.FullName, "infra", "k8s", "kustomization.yaml"));
            Assert.Contains($"newTag: \"2.12.14-alpine@{Digest("nats:2.12.14-alpine")}\"", kustomization, StringComparison.Ordinal);
            Assert.Contains("newTag: set-by-deploy", kustomization, StringComparison.Ordinal);
            Assert.Contains($"mongo:8.0@{Digest("mongo:8.0")} --replSet", File.ReadAllText(Path.Combine(root.FullName, ".github", "workflows", "t.yml")), StringComparison.Ordinal);

            var (againCode, againOutput, _) = Shell.Run("bash", environment, script, "--check");
            Assert.True(againCode == 0, againOutput);
        }
        finally
        {
            root.Delete(true);
        }

        void Write(string path, string text)
        {
            var full = Path.Combine(root.FullName, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
    }

    [Fact]
    public void Dependabot_UpdatesActionsDockerfilesAndNuget()
    {
        var config = Yaml.File(".github", "dependabot.yml").Single();
        Assert.Equal("2", config.Text("version"));
        var updates = config.Items("updates").ToList();
        Assert.Equal(["docker", "github-actions", "nuget"], updates.Select(u => u.Text("package-ecosystem")!).Order());
        var docker = updates.Single(u => u.Text("package-ecosystem") == "docker");
        var directories = docker.Items("directories").OfType<YamlScalarNode>().Select(d => d.Value!.TrimStart('/')).ToHashSet();
        Assert.All(Dockerfiles(), file => Assert.Contains(Path.GetRelativePath(Repo.Root, Path.GetDirectoryName(file)!).Replace('\\', '/'), directories));
        Assert.All(updates, u => Assert.NotNull(u.Text("schedule", "interval")));
    }

    [GeneratedRegex(@"^\s*(-\s+)?uses:\s*(?<target>\S+)")]
    private static partial Regex UsesLine();

    [GeneratedRegex(@"^\s*(-\s+)?uses:\s*[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}\s*$")]
    private static partial Regex PinnedAction();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._:/-]*:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$")]
    private static partial Regex Pinned();
}
