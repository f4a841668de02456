using System.Xml.Linq;

namespace Ticketing.Infra.Tests;

/// <summary>
/// Every service's Dockerfile (each top-level folder that has one), checked against the repository because the
/// image cannot be built here (no Docker engine): everything it copies from the build context (the repository root)
/// exists; it restores from the shared build files and every project the service references (a new
/// ProjectReference must not break the image), then copies their sources; and the runtime stage is the ASP.NET
/// image, non-root, on port 8080, running the service's assembly.
/// </summary>
public sealed class DockerfileTests
{
    public static TheoryData<string> Services() => [.. Repo.Services];

    [Theory]
    [MemberData(nameof(Services))]
    public void Copy_FromTheBuildContext_EverySourceExistsInTheRepository(string service)
    {
        var copied = Instructions(service)
            .Where(i => i.StartsWith("COPY ", StringComparison.Ordinal) && !i.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(Sources)
            .ToList();

        Assert.NotEmpty(copied);
        Assert.All(copied, path => Assert.True(
            File.Exists(Repo.PathOf(path)) || Directory.Exists(Repo.PathOf(path)),
            $"{service}/Dockerfile: COPY {path}: not found at the repository root (the build context)"));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Restore_CopiesTheBuildFilesAndEveryReferencedProjectFirst_ThenTheirSources(string service)
    {
        var instructions = Instructions(service);
        var restore = instructions.FindIndex(i => i.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, $"{service}/Dockerfile restores before it copies the sources");
        var beforeRestore = instructions.Take(restore).ToList();
        var afterRestore = instructions.Skip(restore).ToList();
        var closure = ProjectClosure(service);

        Assert.Contains("COPY global.json Directory.Build.props Directory.Packages.props ./", beforeRestore);
        Assert.Contains(Project(service), closure);
        Assert.Contains("common/src/Ticketing.Common/Ticketing.Common.csproj", closure);
        // Exactly the projects the service needs are restored: none missing, none extra.
        var restoredProjects = beforeRestore.Where(i => i.StartsWith("COPY ", StringComparison.Ordinal))
            .SelectMany(Sources).Where(p => p.EndsWith(".csproj", StringComparison.Ordinal));
        Assert.Equal(closure.Order(), restoredProjects.Order());
        Assert.All(closure, project =>
        {
            var folder = project[..(project.LastIndexOf('/') + 1)];
            Assert.Contains($"COPY {project} {folder}", beforeRestore);  // for the restore layer
            Assert.Contains($"COPY {folder} {folder}", afterRestore);    // and its sources
        });
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Runtime_IsTheAspNetImage_NonRootOnPort8080RunningTheServiceAssembly(string service)
    {
        var instructions = Instructions(service);
        var stages = instructions.Where(i => i.StartsWith("FROM ", StringComparison.Ordinal)).Select(i => i.Split(' ')[1]).ToList();
        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0", "mcr.microsoft.com/dotnet/aspnet:10.0"], stages.Select(s => s.Split('@')[0]));
        Assert.All(stages, s => Assert.Matches("@sha256:[0-9a-f]{64}$", s)); // pinned by digest (SupplyChainTests)

        var runtime = instructions.Skip(instructions.FindLastIndex(i => i.StartsWith("FROM ", StringComparison.Ordinal))).ToList();
        Assert.Contains("USER $APP_UID", runtime);
        Assert.Contains("EXPOSE 8080", runtime);
        Assert.Contains(runtime, i => i.StartsWith("ENV ", StringComparison.Ordinal) && Words(i).Contains("ASPNETCORE_HTTP_PORTS=8080"));
        Assert.Contains($"""ENTRYPOINT ["dotnet", "{Assembly(service)}.dll"]""", runtime);

        var publish = Assert.Single(instructions, i => i.StartsWith("RUN dotnet publish ", StringComparison.Ordinal));
        var words = Words(publish);
        Assert.Equal(Project(service), words[3]);
        Assert.Equal("Release", words[words.IndexOf("-c") + 1]);
        Assert.Equal("/app", words[words.IndexOf("-o") + 1]);
    }

    /// <summary><c>Ticketing.Orders</c> for <c>orders</c>.</summary>
    private static string Assembly(string service) => $"Ticketing.{char.ToUpperInvariant(service[0])}{service[1..]}";

    /// <summary>The service's project, relative to the repository root with '/'.</summary>
    private static string Project(string service) => $"{service}/src/{Assembly(service)}/{Assembly(service)}.csproj";

    /// <summary>The Dockerfile's instructions: continuation lines joined, comments and blank lines left out.</summary>
    private static List<string> Instructions(string service)
    {
        var instructions = new List<string>();
        var current = string.Empty;
        foreach (var line in File.ReadAllLines(Repo.PathOf(service, "Dockerfile")).Select(l => l.Trim()))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            current = current.Length == 0 ? line : $"{current} {line}";
            if (current.EndsWith('\\'))
            {
                current = current[..^1].TrimEnd();
                continue;
            }

            instructions.Add(current);
            current = string.Empty;
        }

        return instructions;
    }

    private static List<string> Words(string instruction) => [.. instruction.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>The sources of a <c>COPY</c> (every argument but the destination, options like <c>--chown</c> left out).</summary>
    private static IEnumerable<string> Sources(string copy) =>
        Words(copy)[1..^1].Where(a => !a.StartsWith("--", StringComparison.Ordinal));

    /// <summary>The service project and every project it references, transitively, relative to the root with '/'.</summary>
    private static List<string> ProjectClosure(string service)
    {
        var found = new List<string>();
        var pending = new Stack<string>([Repo.PathOf(Project(service))]);
        while (pending.TryPop(out var project))
        {
            var relative = Path.GetRelativePath(Repo.Root, project).Replace('\\', '/');
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
}
