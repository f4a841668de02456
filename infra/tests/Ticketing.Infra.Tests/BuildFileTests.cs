namespace Ticketing.Infra.Tests;

/// <summary>Skaffold, the Dockerfiles and the workflows agree with the services that exist.</summary>
public sealed class BuildFileTests
{
    public static TheoryData<string> Services() => [.. Repo.Services];

    [Fact]
    public void Skaffold_BuildsEveryService_FromItsDockerfile_WithTheRepositoryAsContext()
    {
        var skaffold = Yaml.File("skaffold.yaml").Single();
        Assert.StartsWith("skaffold/v4", skaffold.Text("apiVersion"), StringComparison.Ordinal);
        var artifacts = skaffold.Items("build", "artifacts").ToList();
        Assert.Equal(Repo.Images.Order(), artifacts.Select(a => a.Text("image")).Order());
        Assert.All(artifacts, artifact =>
        {
            Assert.Equal(".", artifact.Text("context"));
            Assert.True(File.Exists(Repo.PathOf(artifact.Text("docker", "dockerfile")!)));
        });
        Assert.Contains("infra/k8s-dev", skaffold.Items("manifests", "kustomize", "paths").Select(p => ((YamlDotNet.RepresentationModel.YamlScalarNode)p).Value));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Dockerfile_IsMultiStage_AndRunsAsNonRoot(string service)
    {
        var lines = File.ReadAllLines(Repo.PathOf(service, "Dockerfile")).Select(l => l.Trim()).ToList();
        var froms = lines.Where(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(froms.Count >= 2, "expected a build stage and a runtime stage");
        Assert.Contains("dotnet/sdk", froms[0], StringComparison.Ordinal);
        Assert.Contains("dotnet/aspnet", froms[^1], StringComparison.Ordinal);
        var user = lines.LastOrDefault(l => l.StartsWith("USER ", StringComparison.OrdinalIgnoreCase));
        Assert.NotNull(user);
        Assert.DoesNotContain("root", user, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(lines, l => l.Contains($"Ticketing.{char.ToUpperInvariant(service[0])}{service[1..]}.dll", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void EveryService_HasATestAndADeployWorkflow(string service)
    {
        var tests = Yaml.File(".github", "workflows", $"tests-{service}.yml").Single();
        var deploy = Yaml.File(".github", "workflows", $"deploy-{service}.yml").Single();
        Assert.Contains($"{service}/**", tests.Items("on", "pull_request", "paths").Select(p => ((YamlDotNet.RepresentationModel.YamlScalarNode)p).Value));
        Assert.Contains($"{service}/**", deploy.Items("on", "push", "paths").Select(p => ((YamlDotNet.RepresentationModel.YamlScalarNode)p).Value));
        Assert.Contains($"{service}/Dockerfile", File.ReadAllText(Repo.PathOf(".github", "workflows", $"deploy-{service}.yml")), StringComparison.Ordinal);
    }

    [Fact]
    public void CommonPackage_HasTestAndPublishWorkflows()
    {
        Assert.True(File.Exists(Repo.PathOf(".github", "workflows", "tests-common.yml")));
        Assert.Contains("dotnet pack", File.ReadAllText(Repo.PathOf(".github", "workflows", "publish-common.yml")), StringComparison.Ordinal);
        Assert.True(File.Exists(Repo.PathOf(".github", "workflows", "deploy-manifests.yml")));
    }
}
