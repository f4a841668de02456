using System.Xml.Linq;

namespace Ticketing.Payments.Tests;

/// <summary>
/// The image cannot be built here (no Docker engine), so payments/Dockerfile is checked against the repository: what it
/// copies from the build context (the repository root) exists, every project the service needs is copied for the
/// restore layer and with its sources, and the runtime stage runs as the non-root user on port 8080.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly string Root = FindRoot();
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(Root, "payments", "Dockerfile")).Select(l => l.Trim()).ToArray();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ticketing.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Ticketing.slnx) was not found above the test output.");
    }

    /// <summary>The sources of every <c>COPY</c> from the build context (not <c>--from</c> another stage).</summary>
    private static List<string> CopiedFromContext() =>
        Lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
            .ToList();

    [Fact]
    public void EverythingCopiedFromTheBuildContext_ExistsAtTheRepositoryRoot()
    {
        var copied = CopiedFromContext();

        Assert.NotEmpty(copied);
        Assert.All(copied, path => Assert.True(
            File.Exists(Path.Combine(Root, path)) || Directory.Exists(Path.Combine(Root, path)),
            $"COPY {path}: not found at the repository root"));
    }

    [Fact]
    public void EveryProjectTheServiceNeeds_IsCopiedBeforeTheRestore_AndWithItsSources()
    {
        var lines = Lines.ToList();
        var restore = lines.FindIndex(l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        var beforeRestore = lines.Take(restore).Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)).SelectMany(l => l.Split(' ')[1..^1]).ToList();
        var afterRestore = lines.Skip(restore).Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ')[1..^1]).Select(p => p.TrimEnd('/')).ToList();
        var projects = new List<string>();
        var pending = new Queue<string>([Path.Combine(Root, "payments", "src", "Ticketing.Payments", "Ticketing.Payments.csproj")]);
        while (pending.TryDequeue(out var project))
        {
            projects.Add(Path.GetRelativePath(Root, project));
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                pending.Enqueue(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value)));
            }
        }

        Assert.True(restore > 0, "the Dockerfile restores before it copies the sources");
        Assert.Equal(2, projects.Count); // the service and Ticketing.Common
        Assert.All(["global.json", "Directory.Build.props", "Directory.Packages.props"], file => Assert.Contains(file, beforeRestore));
        Assert.All(projects, project =>
        {
            Assert.Contains(project, beforeRestore);
            Assert.Contains(Path.GetDirectoryName(project)!, afterRestore);
        });
    }

    [Fact]
    public void RuntimeStage_IsAspNet_RunsTheServiceAsNonRoot_OnPort8080()
    {
        var runtime = Lines.SkipWhile(l => !l.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0", StringComparison.Ordinal)).ToList();

        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0", Lines.First(l => l.StartsWith("FROM", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.NotEmpty(runtime);
        Assert.Contains("USER $APP_UID", runtime);
        Assert.Contains("ENV ASPNETCORE_HTTP_PORTS=8080", runtime);
        Assert.Contains("EXPOSE 8080", runtime);
        Assert.Contains("""ENTRYPOINT ["dotnet", "Ticketing.Payments.dll"]""", runtime);
        Assert.Contains(Lines, l => l.StartsWith("RUN dotnet publish", StringComparison.Ordinal) && l.Contains("-c Release -o /app", StringComparison.Ordinal));
    }
}
