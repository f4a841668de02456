using System.Text.RegularExpressions;

namespace Ticketing.Infra.Tests;

/// <summary>
/// The conventions of docs/service-guide.md that a file can show: folders point one way, and the repository
/// explains itself (its docs never send a reader outside it).
/// </summary>
public sealed partial class ConventionsTests
{
    /// <summary>Every service source folder with a <c>Domain/</c> (auth, tickets, orders, and every service added later).</summary>
    public static TheoryData<string> ServiceProjects() => [.. Projects()];

    private static IEnumerable<string> Projects() =>
        Directory.GetDirectories(Repo.Root)
            .Where(dir => Directory.Exists(Path.Combine(dir, "src")))
            .SelectMany(dir => Directory.GetDirectories(Path.Combine(dir, "src")))
            .Where(project => Directory.Exists(Path.Combine(project, "Domain")))
            .Select(project => Path.GetRelativePath(Repo.Root, project))
            .Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(ServiceProjects))]
    public void Domain_ImportsNeitherHttpNorItsOwnDataOrExtensions(string project)
    {
        var service = Path.GetFileName(project); // Ticketing.Orders
        var forbidden = new[] { "Ticketing.Common.Http", "Microsoft.AspNetCore.Http", $"{service}.Data", $"{service}.Extensions", $"{service}.Endpoints" };
        var offences =
            from file in Directory.GetFiles(Repo.PathOf(project, "Domain"), "*.cs", SearchOption.AllDirectories)
            from line in File.ReadLines(file)
            let match = UsingDirective().Match(line)
            where match.Success && forbidden.Any(ns => match.Groups["ns"].Value == ns || match.Groups["ns"].Value.StartsWith(ns + ".", StringComparison.Ordinal))
            select $"{Path.GetRelativePath(Repo.Root, file)}: {line.Trim()}";

        Assert.Empty(offences);
    }

    [Fact]
    public void ServiceProjects_AreFound_SoTheDomainRuleIsReallyChecked()
    {
        var projects = Projects().ToList();
        Assert.Contains(Path.Combine("tickets", "src", "Ticketing.Tickets"), projects);
        Assert.Contains(Path.Combine("orders", "src", "Ticketing.Orders"), projects);
        Assert.Contains(Path.Combine("auth", "src", "Ticketing.Auth"), projects);
    }

    [Fact]
    public void EveryDocumentTheRepositoryNames_IsInTheRepository()
    {
        // Docs and comments send readers to docs/api.md, READMEs, decision records: each must exist here, so nothing
        // refers to a contract or a workspace a user of the repository does not have.
        var names = Directory.EnumerateFiles(Repo.Root, "*.md", SearchOption.AllDirectories)
            .Where(IsSource).Select(file => Path.GetFileName(file)).ToHashSet(StringComparer.Ordinal);
        var offences =
            from file in Directory.EnumerateFiles(Repo.Root, "*", SearchOption.AllDirectories)
            where IsSource(file)
            from hit in File.ReadLines(file).Select((line, index) => (line, index))
            from Match reference in DocumentReference().Matches(hit.line)
            let named = reference.Groups["path"].Value
            where !Resolves(file, named, names)
            select $"{Path.GetRelativePath(Repo.Root, file)}:{hit.index + 1} names {named}";

        Assert.Empty(offences);
    }

    [Fact]
    public void NoRelativePath_ClimbsOutOfTheRepository()
    {
        var offences =
            from file in Directory.EnumerateFiles(Repo.Root, "*", SearchOption.AllDirectories)
            where IsSource(file)
            from hit in File.ReadLines(file).Select((line, index) => (line, index))
            from Match climb in ParentPath().Matches(hit.line)
            let target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, climb.Value))
            where target != Repo.Root && !target.StartsWith(Repo.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            select $"{Path.GetRelativePath(Repo.Root, file)}:{hit.index + 1} {climb.Value}";

        Assert.Empty(offences);
    }

    /// <summary>A named document exists: by its path from the naming file or the root, or (a bare name) anywhere in the repository.</summary>
    private static bool Resolves(string file, string named, HashSet<string> names) =>
        named.Contains('/', StringComparison.Ordinal)
            ? IsInRepository(Path.Combine(Path.GetDirectoryName(file)!, named)) || IsInRepository(Path.Combine(Repo.Root, named.TrimStart('/')))
                || (names.Contains(Path.GetFileName(named)) && !named.StartsWith("../", StringComparison.Ordinal))
            : names.Contains(named);

    private static bool IsInRepository(string path)
    {
        var full = Path.GetFullPath(path);
        return full.StartsWith(Repo.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full);
    }

    private static bool IsSource(string file)
    {
        var relative = Path.GetRelativePath(Repo.Root, file).Replace('\\', '/');
        if (relative.StartsWith(".git/", StringComparison.Ordinal) || relative.StartsWith("artifacts/", StringComparison.Ordinal)
            || relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal)
            || relative.StartsWith(".data/", StringComparison.Ordinal) || relative.Contains("node_modules/", StringComparison.Ordinal))
        {
            return false;
        }

        return Path.GetExtension(file) is ".cs" or ".md" or ".yaml" or ".yml" or ".sh" or ".razor";
    }

    /// <summary>A document named in text: letters, digits, dots, dashes, slashes, ending in <c>.md</c>, not part of a URL.</summary>
    [GeneratedRegex(@"(?<![\w/:.-])(?<path>[\w./-]*[\w-]\.md)\b")]
    private static partial Regex DocumentReference();

    /// <summary>A relative path that starts by going up (<c>../x</c>, <c>../../x</c>).</summary>
    [GeneratedRegex(@"(?<![\w/.])(\.\./)+[\w.-]+")]
    private static partial Regex ParentPath();

    [GeneratedRegex(@"^\s*(global\s+)?using\s+(static\s+)?(?<ns>[\w.]+)\s*;")]
    private static partial Regex UsingDirective();
}
