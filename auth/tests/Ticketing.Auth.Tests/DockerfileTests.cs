using System.Xml.Linq;

namespace Ticketing.Auth.Tests;

/// <summary>
/// The image cannot be built here (no Docker engine), so the Dockerfile is checked against the repository instead:
/// everything it copies exists, and every project the service needs is copied.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly string Root = FindRoot();
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(Root, "auth", "Dockerfile"));

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
    private static List<string> CopiedPaths() =>
        Lines.Select(l => l.Trim())
            .Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1].Where(a => !a.StartsWith("--", StringComparison.Ordinal)))
            .ToList();

    [Fact]
    public void EverythingCopiedFromTheBuildContext_ExistsInTheRepository()
    {
        var copied = CopiedPaths();

        Assert.NotEmpty(copied);
        Assert.All(copied, path => Assert.True(
            File.Exists(Path.Combine(Root, path)) || Directory.Exists(Path.Combine(Root, path)),
            $"COPY {path}: not found at the repository root (the build context)"));
    }

    [Fact]
    public void EveryProjectTheServiceReferences_IsCopied()
    {
        var copied = CopiedPaths().Select(p => p.TrimEnd('/')).ToList();
        var projects = new List<string>();
        var pending = new Queue<string>([Path.Combine(Root, "auth", "src", "Ticketing.Auth", "Ticketing.Auth.csproj")]);
        while (pending.TryDequeue(out var project))
        {
            projects.Add(Path.GetRelativePath(Root, project));
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                pending.Enqueue(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value)));
            }
        }

        Assert.All(projects, project =>
        {
            Assert.Contains(project, copied);                         // for the restore layer
            Assert.Contains(Path.GetDirectoryName(project)!, copied); // and its sources
        });
    }

    [Fact]
    public void RuntimeStage_RunsAsNonRoot_OnPort8080()
    {
        var runtime = Lines.SkipWhile(l => !l.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(runtime);
        Assert.Contains("USER $APP_UID", runtime);
        Assert.Contains("ENV ASPNETCORE_HTTP_PORTS=8080", runtime);
        Assert.Contains("EXPOSE 8080", runtime);
    }
}
