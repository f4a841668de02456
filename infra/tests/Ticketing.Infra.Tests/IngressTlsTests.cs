using System.Globalization;
using System.Net;
using YamlDotNet.RepresentationModel;

namespace Ticketing.Infra.Tests;

/// <summary>
/// TLS at the ingress (decision 0014) and the ingress-nginx controller settings of decision 0012: production serves
/// its host over TLS only (certificate from cert-manager, http redirected, HSTS), the web client reaches the APIs
/// through the controller over https so the redirect never applies to it, the dev overlay stays plain http, and the
/// controller believes X-Forwarded-For from the pod network only.
/// </summary>
public sealed class IngressTlsTests
{
    private const string Nginx = "nginx.ingress.kubernetes.io/";

    private static IReadOnlyList<YamlMappingNode> Render(string overlay)
    {
        Skip.If(Repo.Kubectl is null, Repo.NoKubectl);
        return Repo.Render(overlay);
    }

    private static string? Annotation(YamlMappingNode ingress, string name) => ingress.Text("metadata", "annotations", name);

    private static Dictionary<string, string> ControllerConfig() =>
        ((YamlMappingNode)Yaml.File("infra", "ingress-nginx", "controller-config.yaml").Single().At("data")!).Children
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value!);

    [SkippableFact]
    public void ProdIngress_ServesEveryHostOverTls_FromCertManager_AndRedirectsHttp()
    {
        var ingress = Render("k8s-prod").OfKind("Ingress").Single();
        var hosts = ingress.Items("spec", "rules").Select(r => r.Text("host")!).ToList();
        Assert.NotEmpty(hosts);
        var tls = ingress.Items("spec", "tls").ToList();
        Assert.NotEmpty(tls);
        Assert.All(tls, t => Assert.False(string.IsNullOrEmpty(t.Text("secretName")), "a tls entry without secretName"));
        var covered = tls.SelectMany(t => t.Items("hosts")).OfType<YamlScalarNode>().Select(h => h.Value).ToHashSet();
        Assert.All(hosts, host => Assert.Contains(host, covered));

        Assert.Equal("true", Annotation(ingress, Nginx + "ssl-redirect"));
        Assert.Equal("true", Annotation(ingress, Nginx + "force-ssl-redirect"));
        Assert.False(string.IsNullOrEmpty(Annotation(ingress, "cert-manager.io/cluster-issuer")), "no cert-manager issuer");
        var readme = File.ReadAllText(Repo.PathOf("infra", "README.md"));
        Assert.Contains(Annotation(ingress, "cert-manager.io/cluster-issuer")!, readme, StringComparison.Ordinal); // the placeholder is documented
    }

    [SkippableFact]
    public void ProdIngress_SendsHsts_ThroughTheControllerSetting_ForAtLeastAYear()
    {
        // ingress-nginx has no per-Ingress HSTS annotation: the controller adds the header on every TLS response.
        Assert.NotEmpty(Render("k8s-prod").OfKind("Ingress").Single().Items("spec", "tls"));
        var config = ControllerConfig();
        Assert.Equal("true", config["hsts"]);
        Assert.True(long.Parse(config["hsts-max-age"], CultureInfo.InvariantCulture) >= 31_536_000, "HSTS max-age under a year");
    }

    [SkippableFact]
    public void ProdClient_CallsTheControllerOverHttps_WithTheTlsHost_SoTheRedirectNeverBouncesIt()
    {
        var docs = Render("k8s-prod");
        var client = docs.Named("Deployment", "client")!.Containers().Single();
        var url = new Uri(client.Env("TICKETING_API_URL")!);
        Assert.Equal("https", url.Scheme);
        var host = client.Env("TICKETING_API_HOST");
        var covered = docs.OfKind("Ingress").Single().Items("spec", "tls").SelectMany(t => t.Items("hosts")).OfType<YamlScalarNode>().Select(h => h.Value);
        Assert.Contains(host, covered); // sent as Host and as the TLS server name: the certificate must be the host's

        // The client may reach the controller on 443 (network policy).
        var policy = File.ReadAllText(Repo.PathOf("infra", "k8s", "network-policies.yaml"));
        Assert.Contains("443", policy, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void DevOverlay_RendersPlainHttp_WithoutTlsOrRedirect()
    {
        var docs = Render("k8s-dev");
        var ingress = docs.OfKind("Ingress").Single();
        Assert.Empty(ingress.Items("spec", "tls"));
        Assert.NotEqual("true", Annotation(ingress, Nginx + "force-ssl-redirect"));
        Assert.Null(Annotation(ingress, "cert-manager.io/cluster-issuer"));
        var client = docs.Named("Deployment", "client")!.Containers().Single();
        Assert.Equal("http", new Uri(client.Env("TICKETING_API_URL")!).Scheme);
        Assert.Equal("false", docs.Named("Deployment", "auth")!.Containers().Single().Env("COOKIE_SECURE"));
    }

    [Fact]
    public void IngressNginx_BelievesForwardedHeadersOnlyFromPrivateRanges_AndAppendsThePeer()
    {
        var config = ControllerConfig();
        Assert.Equal("true", config["use-forwarded-headers"]);
        Assert.Equal("true", config["compute-full-forwarded-for"]);
        var ranges = config["proxy-real-ip-cidr"].Split(',', StringSplitOptions.TrimEntries);
        Assert.NotEmpty(ranges);
        Assert.All(ranges, range =>
        {
            var network = IPNetwork.Parse(range);
            Assert.True(network.PrefixLength >= 8, $"{range} is too wide to be a pod network");
            Assert.True(
                new[] { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8" }.Select(IPNetwork.Parse).Any(p => p.Contains(network.BaseAddress)),
                $"{range} is not a private range: the internet could spoof X-Forwarded-For");
        });
    }

    [Fact]
    public void IngressNginx_HelmValuesEqualTheConfigMapPatch_AndClusterUpAppliesIt()
    {
        var helm = ((YamlMappingNode)Yaml.File("infra", "ingress-nginx", "helm-values.yaml").Single().At("controller", "config")!).Children
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value!);
        Assert.Equal(ControllerConfig().OrderBy(kv => kv.Key), helm.OrderBy(kv => kv.Key));
        var script = File.ReadAllText(Repo.PathOf("infra", "cluster-up.sh"));
        Assert.Contains("ingress-nginx/controller-config.yaml", script, StringComparison.Ordinal);
        Assert.Contains("patch configmap ingress-nginx-controller", script, StringComparison.Ordinal);
        var decision = File.ReadAllText(Repo.PathOf("docs", "decisions", "0012-client-addresses-and-signin-throttle.md"));
        Assert.All(new[] { "use-forwarded-headers", "compute-full-forwarded-for", "proxy-real-ip-cidr" },
            key => Assert.Contains(key, decision, StringComparison.Ordinal));
    }

    [Fact]
    public void DecisionRecord_ExplainsTheIngressTls()
    {
        var text = File.ReadAllText(Repo.PathOf("docs", "decisions", "0014-ingress-tls.md"));
        Assert.Contains("TICKETING_API_URL", text, StringComparison.Ordinal);
        Assert.Contains("force-ssl-redirect", text, StringComparison.Ordinal);
        Assert.Contains("COOKIE_SECURE", text, StringComparison.Ordinal);
    }
}
