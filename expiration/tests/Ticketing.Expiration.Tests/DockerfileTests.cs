using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Ticketing.Expiration.Tests;

/// <summary>
/// The image cannot be built here (no Docker engine), so these check the Dockerfile against the repository:
/// it restores and copies every project the service references (a new ProjectReference must not break the
/// image), and the runtime stage is the ASP.NET image, non-root, on port 8080.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string Root = FindRepositoryRoot();
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(Root, "expiration", "Dockerfile"));

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ticketing.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Ticketing.slnx not found above the test binaries");
    }

    /// <summary>The service project and every project it references, transitively, relative to the root with '/'.</summary>
    private static IReadOnlyList<string> ProjectClosure()
    {
        var found = new List<string>();
        var pending = new Stack<string>([Path.Combine(Root, "expiration", "src", "Ticketing.Expiration", "Ticketing.Expiration.csproj")]);
        while (pending.TryPop(out var project))
        {
            var relative = Path.GetRelativePath(Root, project).Replace('\\', '/');
            if (found.Contains(relative))
            {
                continue;
            }

            found.Add(relative);
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value)));
            }
        }

        return found;
    }

    [Fact]
    public void Build_CopiesTheSharedBuildFiles_AndEveryReferencedProject_BeforeRestoring()
    {
        var restoreAt = Dockerfile.IndexOf("dotnet restore", StringComparison.Ordinal);
        Assert.True(restoreAt > 0, "the Dockerfile restores before copying sources");
        var beforeRestore = Dockerfile[..restoreAt];

        Assert.Contains("COPY global.json Directory.Build.props Directory.Packages.props ./", beforeRestore, StringComparison.Ordinal);
        var closure = ProjectClosure();
        Assert.Contains("common/src/Ticketing.Common/Ticketing.Common.csproj", closure);
        foreach (var project in closure)
        {
            var folder = project[..(project.LastIndexOf('/') + 1)];
            Assert.Contains($"COPY {project} {folder}", beforeRestore, StringComparison.Ordinal);
            Assert.Contains($"COPY {folder} {folder}", Dockerfile[restoreAt..], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Runtime_IsTheAspNetImage_NonRoot_OnPort8080_RunningTheServiceAssembly()
    {
        var stages = FromLine().Matches(Dockerfile).Select(m => m.Groups["image"].Value).ToList();
        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0", "mcr.microsoft.com/dotnet/aspnet:10.0"], stages);

        var runtime = Dockerfile[Dockerfile.LastIndexOf("FROM ", StringComparison.Ordinal)..];
        Assert.Matches(@"(?m)^USER \$APP_UID\s*$", runtime);
        Assert.Matches(@"(?m)^EXPOSE 8080\s*$", runtime);
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", runtime, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"Ticketing.Expiration.dll\"]", runtime, StringComparison.Ordinal);
        Assert.Contains("dotnet publish expiration/src/Ticketing.Expiration/Ticketing.Expiration.csproj -c Release -o /app", Dockerfile, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(?m)^FROM (?<image>\S+)")]
    private static partial Regex FromLine();
}
