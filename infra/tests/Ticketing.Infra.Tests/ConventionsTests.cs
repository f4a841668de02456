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
    public void Repository_NeverPointsOutsideItself_ForItsContract()
    {
        // The contract is docs/api.md; the team's workspace (../shared, its product.md) is not part of the product.
        var offences =
            from file in Directory.EnumerateFiles(Repo.Root, "*", SearchOption.AllDirectories)
            where IsSource(file)
            from hit in File.ReadLines(file).Select((line, index) => (line, index))
            where hit.line.Contains("product.md", StringComparison.Ordinal) || hit.line.Contains("../shared", StringComparison.Ordinal) || hit.line.Contains("shared/spec", StringComparison.Ordinal)
            select $"{Path.GetRelativePath(Repo.Root, file)}:{hit.index + 1}";

        Assert.Empty(offences);
    }

    private static bool IsSource(string file)
    {
        var relative = Path.GetRelativePath(Repo.Root, file).Replace('\\', '/');
        if (relative.StartsWith(".git/", StringComparison.Ordinal) || relative.StartsWith("artifacts/", StringComparison.Ordinal)
            || relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal)
            || relative.StartsWith(".data/", StringComparison.Ordinal) || relative.Contains("node_modules/", StringComparison.Ordinal)
            || relative == "infra/tests/Ticketing.Infra.Tests/ConventionsTests.cs")
        {
            return false;
        }

        return Path.GetExtension(file) is ".cs" or ".md" or ".yaml" or ".yml" or ".sh" or ".json" or ".razor" or ".csproj" or ".props";
    }

    [GeneratedRegex(@"^\s*(global\s+)?using\s+(static\s+)?(?<ns>[\w.]+)\s*;")]
    private static partial Regex UsingDirective();
}
