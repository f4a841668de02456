using Microsoft.Extensions.Configuration;
using Ticketing.Common.Testing;
using Ticketing.Gateway;
using YamlDotNet.RepresentationModel;

namespace Ticketing.Gateway.Tests;

/// <summary>
/// The local gateway is the ingress on a developer's machine: its route table (dev/Ticketing.Gateway/appsettings.json)
/// must say exactly what infra/k8s/ingress.yaml says, so what works locally works in Kubernetes. A service that adds
/// a path to one adds it to the other.
/// </summary>
public sealed class GatewayRoutesMatchIngressTests
{
    private sealed record IngressPath(string Path, string PathType, string Service, int Port);

    [Fact]
    public void GatewayRoutes_ComparedWithTheIngress_AreExactlyItsApiPaths()
    {
        var ingress = ReadIngressPaths();
        var gateway = ReadGatewayOptions();

        var ingressApiRoutes = ingress.Where(p => p.Path != "/").Select(p => $"{p.Path} -> {p.Service}").Order().ToList();
        var gatewayRoutes = gateway.Routes.Select(r => $"{r.Prefix} -> {r.Service}").Order().ToList();
        Assert.True(ingressApiRoutes.SequenceEqual(gatewayRoutes),
            $"infra/k8s/ingress.yaml routes [{string.Join(", ", ingressApiRoutes)}] but the gateway routes [{string.Join(", ", gatewayRoutes)}]. " +
            "Keep dev/Ticketing.Gateway/appsettings.json (Gateway:Routes) equal to the ingress.");
    }

    [Fact]
    public void CatchAll_ForAnyOtherPath_GoesToTheSameServiceAsTheIngress()
    {
        var catchAll = ReadIngressPaths().Where(p => p.Path == "/").ToList();
        var gateway = ReadGatewayOptions();

        // Until the web client exists the ingress has no "/" rule; the gateway's fallback is the client either way.
        Assert.True(catchAll.Count <= 1, "the ingress has more than one '/' rule");
        if (catchAll.Count == 1)
        {
            Assert.Equal(catchAll[0].Service, gateway.Fallback);
        }
    }

    [Fact]
    public void IngressPaths_EachOne_IsAPrefixPathOnAServicePortTheGatewayCanMirror()
    {
        foreach (var path in ReadIngressPaths())
        {
            // The gateway implements Prefix matching (whole path segments), as ingress-nginx does for pathType Prefix.
            Assert.Equal("Prefix", path.PathType);
            Assert.StartsWith("/", path.Path, StringComparison.Ordinal);
            Assert.True(path.Path == "/" || !path.Path.EndsWith('/'), $"'{path.Path}' ends with '/'");
            Assert.Equal(8080, path.Port);
        }
    }

    [Fact]
    public void BodyLimit_ComparedWithTheIngress_IsItsProxyBodySize()
    {
        var text = File.ReadAllText(RepositoryRoot.PathOf("infra", "k8s", "ingress.yaml"));
        var match = System.Text.RegularExpressions.Regex.Match(text, @"proxy-body-size:\s*""?(\d+)([kmg]?)""?", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        Assert.True(match.Success, "infra/k8s/ingress.yaml sets no nginx.ingress.kubernetes.io/proxy-body-size");
        var bytes = long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * (match.Groups[2].Value.ToLowerInvariant() switch
        {
            "k" => 1024L,
            "m" => 1024L * 1024,
            "g" => 1024L * 1024 * 1024,
            _ => 1L,
        });

        Assert.Equal(bytes, ReadGatewayOptions().MaxRequestBodyBytes);
    }

    private static GatewayOptions ReadGatewayOptions() =>
        GatewayOptions.From(new ConfigurationBuilder()
            .AddJsonFile(RepositoryRoot.PathOf("dev", "Ticketing.Gateway", "appsettings.json"))
            .Build());

    private static List<IngressPath> ReadIngressPaths()
    {
        var file = RepositoryRoot.PathOf("infra", "k8s", "ingress.yaml");
        Assert.True(File.Exists(file), $"{file} is missing");
        var yaml = new YamlStream();
        using (var reader = File.OpenText(file))
        {
            yaml.Load(reader);
        }

        var ingresses = yaml.Documents
            .Select(d => d.RootNode)
            .OfType<YamlMappingNode>()
            .Where(root => Scalar(root, "kind") == "Ingress")
            .ToList();
        Assert.Single(ingresses);

        var paths = new List<IngressPath>();
        foreach (var rule in Sequence(Mapping(ingresses[0], "spec"), "rules").OfType<YamlMappingNode>())
        {
            foreach (var path in Sequence(Mapping(rule, "http"), "paths").OfType<YamlMappingNode>())
            {
                var service = Mapping(Mapping(path, "backend"), "service");
                paths.Add(new IngressPath(
                    Scalar(path, "path") ?? "/",
                    Scalar(path, "pathType") ?? "",
                    Scalar(service, "name") ?? "",
                    int.Parse(Scalar(Mapping(service, "port"), "number") ?? "0", System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        Assert.NotEmpty(paths);
        return paths;
    }

    private static YamlMappingNode Mapping(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode mapping
            ? mapping
            : throw new InvalidOperationException($"ingress.yaml: '{key}' is missing or not a mapping");

    private static YamlSequenceNode Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode sequence
            ? sequence
            : throw new InvalidOperationException($"ingress.yaml: '{key}' is missing or not a list");

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlScalarNode scalar ? scalar.Value : null;
}
