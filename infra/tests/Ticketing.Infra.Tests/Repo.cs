using System.Diagnostics;
using Ticketing.Common.Testing;
using YamlDotNet.RepresentationModel;

namespace Ticketing.Infra.Tests;

/// <summary>The repository on disk, and the manifests rendered from it.</summary>
public static class Repo
{
    public static string Root => RepositoryRoot.Path;

    public static string PathOf(params string[] parts) => RepositoryRoot.PathOf(parts);

    /// <summary>Services are the top-level folders with a Dockerfile.</summary>
    public static IReadOnlyList<string> Services { get; } =
        Directory.GetDirectories(Root)
            .Where(d => File.Exists(Path.Combine(d, "Dockerfile")))
            .Select(Path.GetFileName)
            .Order()
            .ToList()!;

    /// <summary>Tool images besides the services' (<c>ticketing/cli</c>: the Job nats-provision runs it), with their Dockerfiles.</summary>
    public static IReadOnlyDictionary<string, string> ToolImages { get; } = new Dictionary<string, string>
    {
        ["ticketing/cli"] = "tools/Ticketing.Cli/Dockerfile",
    };

    /// <summary>Every image the manifests run and skaffold builds: one per service, and the tools'.</summary>
    public static IReadOnlyList<string> Images => [.. Services.Select(s => $"ticketing/{s}"), .. ToolImages.Keys];

    /// <summary>The C# sources of a service (for what it requires from configuration).</summary>
    public static string SourceOf(string service) =>
        string.Join('\n', Directory.GetFiles(PathOf(service, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText));

    public static string? Kubectl { get; } =
        new[] { "/usr/bin/kubectl", "/usr/local/bin/kubectl", "/snap/bin/kubectl" }.FirstOrDefault(File.Exists)
        ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Select(p => Path.Combine(p, "kubectl")).FirstOrDefault(File.Exists);

    public const string NoKubectl = "kubectl is not installed, so the kustomize overlays cannot be rendered here (install kubectl; it works offline).";

    private static readonly Dictionary<string, IReadOnlyList<YamlMappingNode>> Rendered = [];

    /// <summary>The documents <c>kubectl kustomize infra/&lt;overlay&gt;</c> renders.</summary>
    public static IReadOnlyList<YamlMappingNode> Render(string overlay)
    {
        lock (Rendered)
        {
            if (Rendered.TryGetValue(overlay, out var cached))
            {
                return cached;
            }

            var start = new ProcessStartInfo(Kubectl!, ["kustomize", PathOf("infra", overlay)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"kubectl kustomize infra/{overlay} failed:\n{error}");
            }

            return Rendered[overlay] = Yaml.Documents(output);
        }
    }
}

/// <summary>Small helpers to walk YAML without a schema.</summary>
public static class Yaml
{
    public static IReadOnlyList<YamlMappingNode> Documents(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    public static IReadOnlyList<YamlMappingNode> File(params string[] path) => Documents(System.IO.File.ReadAllText(Repo.PathOf(path)));

    public static YamlNode? At(this YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var next) ? next : null;
        }

        return node;
    }

    public static string? Text(this YamlNode? node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlSequenceNode seq ? seq.Children : [];

    public static IEnumerable<YamlMappingNode> OfKind(this IEnumerable<YamlMappingNode> docs, string kind) =>
        docs.Where(d => d.Text("kind") == kind);

    public static YamlMappingNode? Named(this IEnumerable<YamlMappingNode> docs, string kind, string name) =>
        docs.OfKind(kind).FirstOrDefault(d => d.Text("metadata", "name") == name);

    public static IEnumerable<YamlMappingNode> Containers(this YamlMappingNode workload) =>
        workload.Items("spec", "template", "spec", "containers").OfType<YamlMappingNode>();

    public static string? Env(this YamlMappingNode container, string name) =>
        container.Items("env").OfType<YamlMappingNode>().FirstOrDefault(e => e.Text("name") == name) is { } env
            ? env.Text("value") ?? (env.At("valueFrom") is not null ? "<from>" : null)
            : null;
}
