using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Ticketing.Infra.Tests;

/// <summary>
/// MongoDB with authentication: each service's MongoDB starts with auth on, its administrator and the service's user
/// come from the Secret <c>&lt;service&gt;-mongo-credentials</c> (created by <c>infra/mongo-secrets.sh</c>, never
/// committed), the init script gives that user readWrite on the service's own database and nothing else, and the
/// service reads its <c>MONGO_URI</c> from the same Secret.
/// </summary>
public sealed partial class MongoAuthTests
{
    public static TheoryData<string> Overlays() => ["k8s-dev", "k8s-prod", "k8s-prod-gateway", "k8s-dev-watch"];

    /// <summary>The services that store documents (they call <c>AddDocumentStorage</c>).</summary>
    private static List<string> Databases() =>
        Repo.Services.Where(s => Repo.SourceOf(s).Contains("AddDocumentStorage(", StringComparison.Ordinal)).ToList();

    private static IReadOnlyList<YamlMappingNode> Render(string overlay)
    {
        Skip.If(Repo.Kubectl is null, Repo.NoKubectl);
        return Repo.Render(overlay);
    }

    private static YamlMappingNode? EnvEntry(YamlMappingNode container, string name) =>
        container.Items("env").OfType<YamlMappingNode>().FirstOrDefault(e => e.Text("name") == name);

    [Fact]
    public void Repository_HasServicesWithADatabase()
    {
        Assert.Contains("tickets", Databases());
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EveryServiceMongoUri_ComesFromItsDatabasesSecret_NeverALiteral(string overlay)
    {
        var docs = Render(overlay);
        Assert.All(Databases(), service =>
        {
            var env = EnvEntry(docs.Named("Deployment", service)!.Containers().Single(), "MONGO_URI");
            Assert.True(env is not null, $"{service} has no MONGO_URI");
            Assert.Null(env.Text("value"));
            Assert.Equal($"{service}-mongo-credentials", env.Text("valueFrom", "secretKeyRef", "name"));
            Assert.Equal("MONGO_URI", env.Text("valueFrom", "secretKeyRef", "key"));
        });
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void EveryMongoStatefulSet_StartsWithAuthOn_ItsUsersFromTheSecret_AndTheInitScriptMounted(string overlay)
    {
        var docs = Render(overlay);
        Assert.All(Databases(), service =>
        {
            var mongo = docs.Named("StatefulSet", $"{service}-mongo")!;
            var container = mongo.Containers().Single();
            Assert.Contains("--auth", container.Items("args").OfType<YamlScalarNode>().Select(a => a.Value));
            foreach (var name in new[] { "MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD", "MONGO_APP_USERNAME", "MONGO_APP_PASSWORD" })
            {
                var env = EnvEntry(container, name);
                Assert.True(env is not null, $"{service}-mongo has no {name}");
                Assert.Null(env.Text("value"));
                Assert.Equal($"{service}-mongo-credentials", env.Text("valueFrom", "secretKeyRef", "name"));
                Assert.Equal(name, env.Text("valueFrom", "secretKeyRef", "key"));
            }

            var mount = container.Items("volumeMounts").Single(m => m.Text("mountPath") == "/docker-entrypoint-initdb.d");
            var volume = mongo.Items("spec", "template", "spec", "volumes").Single(v => v.Text("name") == mount.Text("name"));
            var configMap = docs.Named("ConfigMap", volume.Text("configMap", "name")!);
            Assert.True(configMap is not null, $"{service}-mongo mounts a missing ConfigMap {volume.Text("configMap", "name")}");
            Assert.Contains(((YamlMappingNode)configMap.At("data")!).Children.Keys.OfType<YamlScalarNode>(), k => k.Value!.EndsWith(".js", StringComparison.Ordinal));
        });
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void MongoInitScript_GrantsOnlyReadWrite_OnlyOnItsOwnDatabase(string overlay)
    {
        var docs = Render(overlay);
        Assert.All(Databases(), service =>
        {
            var scripts = ((YamlMappingNode)docs.Named("ConfigMap", $"{service}-mongo-init")!.At("data")!).Children
                .Select(kv => ((YamlScalarNode)kv.Value).Value!).ToList();
            var script = Assert.Single(scripts);
            Assert.Contains("createUser(", script, StringComparison.Ordinal);
            Assert.Contains("process.env.MONGO_APP_USERNAME", script, StringComparison.Ordinal);
            Assert.Contains("process.env.MONGO_APP_PASSWORD", script, StringComparison.Ordinal); // never a password in the repository
            var roles = Role().Matches(script).Select(m => (m.Groups["role"].Value, m.Groups["db"].Value)).ToList();
            Assert.Equal([("readWrite", service)], roles);
            var granted = Regex.Matches(script, @"roles:\s*(?<roles>\[[^\]]*\])").Select(m => Regex.Replace(m.Groups["roles"].Value, @"\s", "")).ToList();
            Assert.Equal([$"[{{role:'readWrite',db:'{service}'}}]"], granted);
            Assert.Equal([service], SiblingDb().Matches(script).Select(m => m.Groups["db"].Value));
            Assert.DoesNotMatch("(?i)root|dbOwner|AnyDatabase|userAdmin|clusterAdmin|grantRolesToUser", script);
        });
    }

    [SkippableTheory]
    [MemberData(nameof(Overlays))]
    public void NoSecret_IsCommittedInTheManifests(string overlay)
    {
        Assert.Empty(Render(overlay).OfKind("Secret"));
    }

    [SkippableFact]
    public void MongoSecretsScript_CoversEveryDatabase_WithTheKeysTheManifestsRead_AndAUriOfTheServiceUserOnItsOwnDatabase()
    {
        var docs = Render("k8s-prod");
        Skip.If(Shell.Which("openssl") is null, "openssl is not installed");
        var (code, output, error) = Shell.Run("bash", null, Repo.PathOf("infra", "mongo-secrets.sh"), "--dry-run");
        Assert.True(code == 0, error);
        var secrets = Yaml.Documents(output).OfKind("Secret").ToList();
        Assert.Equal(Databases().Select(s => $"{s}-mongo-credentials").Order(), secrets.Select(s => s.Text("metadata", "name")!).Order());

        // Every key a manifest reads from these Secrets is one the script creates.
        var referenced = docs.SelectMany(d => d.Containers()).SelectMany(c => c.Items("env"))
            .Select(e => (Name: e.Text("valueFrom", "secretKeyRef", "name"), Key: e.Text("valueFrom", "secretKeyRef", "key")))
            .Where(r => r.Name?.EndsWith("-mongo-credentials", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(referenced);
        Assert.All(referenced, r => Assert.NotNull(secrets.Named("Secret", r.Name!)!.Text("data", r.Key!)));

        Assert.All(Databases(), service =>
        {
            var data = secrets.Named("Secret", $"{service}-mongo-credentials")!;
            string Value(string key) => Encoding.UTF8.GetString(Convert.FromBase64String(data.Text("data", key)!));
            var password = Value("MONGO_APP_PASSWORD");
            Assert.Matches("^[0-9a-f]{48}$", password);
            Assert.Matches("^[0-9a-f]{48}$", Value("MONGO_INITDB_ROOT_PASSWORD"));
            Assert.NotEqual(password, Value("MONGO_INITDB_ROOT_PASSWORD"));
            Assert.Equal(service, Value("MONGO_APP_USERNAME"));

            var uri = new Uri(Value("MONGO_URI"));
            Assert.Equal("mongodb", uri.Scheme);
            Assert.Equal($"{service}:{password}", uri.UserInfo);
            Assert.Equal($"{service}-mongo", uri.Host);
            Assert.Equal(27017, uri.Port);
            Assert.Equal($"/{service}", uri.AbsolutePath);
            Assert.Equal($"?authSource={service}", uri.Query);
            var mongoService = docs.Named("Service", $"{service}-mongo");
            Assert.NotNull(mongoService);
        });

        // Two runs never share a password.
        var (_, again, _) = Shell.Run("bash", null, Repo.PathOf("infra", "mongo-secrets.sh"), "--dry-run");
        Assert.NotEqual(output, again);
    }

    [Fact]
    public void ClusterUp_CreatesTheMongoSecrets_AndTheReadmeDocumentsThem()
    {
        Assert.Contains("mongo-secrets.sh", File.ReadAllText(Repo.PathOf("infra", "cluster-up.sh")), StringComparison.Ordinal);
        var readme = File.ReadAllText(Repo.PathOf("infra", "README.md"));
        Assert.Contains("infra/mongo-secrets.sh", readme, StringComparison.Ordinal);
        Assert.All(Databases(), service => Assert.Contains($"`{service}-mongo-credentials`", readme, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"role:\s*'(?<role>[^']*)'\s*,\s*db:\s*'(?<db>[^']*)'")]
    private static partial Regex Role();

    [GeneratedRegex(@"getSiblingDB\('(?<db>[^']*)'\)")]
    private static partial Regex SiblingDb();
}
