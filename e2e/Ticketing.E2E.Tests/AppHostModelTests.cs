using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Ticketing.Common.Testing.Processes;
using TempDirectory = Ticketing.Common.Testing.Processes.TempDirectory;

namespace Ticketing.E2E.Tests;

/// <summary>The AppHost's model, built but not started: what every service gets, and the local JWT key.</summary>
public sealed class AppHostModelTests
{
    // GetEnvironmentVariableValuesAsync is marked obsolete in Aspire 13 in favour of the lower-level
    // ExecutionConfigurationBuilder; it still evaluates exactly what a resource would get, which is what we check.
#pragma warning disable CS0618
    private static Task<Dictionary<string, string>> EnvironmentOf(IResourceWithEnvironment resource) =>
        resource.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish).AsTask();
#pragma warning restore CS0618

    [Fact]
    public async Task AppHost_EveryService_GetsItsOwnDataFolderTheSharedKeyAndAGatewayRoute()
    {
        using var data = new TempDirectory("ticketing-apphost");
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ticketing_AppHost>(
            [$"--Ticketing:DataDir={data.Path}", "--Ticketing:GatewayPort=18181", "--STRIPE_KEY="]);
        var resources = builder.Resources.ToDictionary(r => r.Name);

        Assert.IsType<ExecutableResource>(resources["nats"]);
        var gateway = Assert.IsType<ExecutableResource>(resources["gateway"]);
        Assert.Equal(18181, gateway.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http").Port);

        var services = resources.Values.OfType<ExecutableResource>().Where(r => r.Name is not ("gateway" or "nats" or "nats-provision" or "redis" or "client")).ToList();
        Assert.Equal(["auth", "expiration", "orders", "payments", "tickets"], services.Select(s => s.Name).Order().ToArray());
        foreach (var service in services)
        {
            var environment = await EnvironmentOf(service);
            Assert.Equal(Path.Combine(data.Path, service.Name), environment["DATA_DIR"]);
            Assert.True(environment.ContainsKey("JWT_KEY"), $"{service.Name} has no JWT_KEY");
            Assert.Contains(gateway.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource == service);
        }

        foreach (var name in new[] { "auth", "tickets", "orders", "payments", "expiration" })
        {
            var environment = await EnvironmentOf((ExecutableResource)resources[name]);
            Assert.True(environment.ContainsKey("NATS_URL"), $"{name} has no NATS_URL");
            Assert.Equal(name, environment["NATS_USER"]);   // its own identity in infra/nats/auth.conf (decision 0013)
            Assert.True(environment.ContainsKey("NATS_PASSWORD"), $"{name} has no NATS password");
            Assert.True((await EnvironmentOf((ExecutableResource)resources["nats"])).ContainsKey($"NATS_{name.ToUpperInvariant()}_PASSWORD"), $"nats-server has no password for {name}");
        }

        Assert.IsType<ExecutableResource>(resources["redis"]);
        var expiration = await EnvironmentOf((ExecutableResource)resources["expiration"]);
        Assert.StartsWith("127.0.0.1:", expiration["REDIS_URL"], StringComparison.Ordinal);

        var auth = await EnvironmentOf((ExecutableResource)resources["auth"]);
        Assert.Equal("false", auth["COOKIE_SECURE"]);

        // Without STRIPE_KEY the local run pays with Stripe's test cards, simulated.
        var payments = await EnvironmentOf((ExecutableResource)resources["payments"]);
        Assert.Equal("true", payments["PAYMENTS_SIMULATED"]);
    }

    [Fact]
    public async Task Payments_WhenAStripeKeyIsSet_UsesStripeNotTheSimulation()
    {
        using var data = new TempDirectory("ticketing-apphost");
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ticketing_AppHost>(
            [$"--Ticketing:DataDir={data.Path}", "--STRIPE_KEY=sk_test_from_the_environment", "--STRIPE_WEBHOOK_SECRET=whsec_test"]);

        var payments = await EnvironmentOf((ExecutableResource)builder.Resources.Single(r => r.Name == "payments"));

        Assert.Equal("sk_test_from_the_environment", payments["STRIPE_KEY"]);
        Assert.Equal("whsec_test", payments["STRIPE_WEBHOOK_SECRET"]);
        Assert.Equal("false", payments["PAYMENTS_SIMULATED"]);
    }

    [Fact]
    public async Task WebClient_CallsTheApisThroughTheGateway_WhichRoutesSlashToIt_AndHoldsNoSecrets()
    {
        using var data = new TempDirectory("ticketing-apphost");
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ticketing_AppHost>(
            [$"--Ticketing:DataDir={data.Path}", "--Ticketing:GatewayPort=18182"]);
        var resources = builder.Resources.ToDictionary(r => r.Name);

        var client = Assert.IsType<ExecutableResource>(resources["client"]);
        var gateway = (ExecutableResource)resources["gateway"];
        var environment = await EnvironmentOf(client);
        Assert.Equal("http://localhost:18182", environment["TICKETING_API_URL"]);
        Assert.False(environment.ContainsKey("JWT_KEY"), "the client only forwards the session cookie; it needs no key");
        Assert.False(environment.ContainsKey("DATA_DIR"), "the client owns no data");
        Assert.Contains(gateway.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource == client);
        Assert.Contains("services__client__http__0", (await EnvironmentOf(gateway)).Keys);
    }

    [SkippableFact]
    public async Task LocalJwtKey_IsRandomPrivateToTheUser_AndKeptAcrossRuns()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "Unix file modes");
        Skip.If(Environment.GetEnvironmentVariable("JWT_KEY") is { Length: > 0 }, "JWT_KEY is set in this environment, so no key file is made");
        using var data = new TempDirectory("ticketing-apphost");
        string[] args = [$"--Ticketing:DataDir={data.Path}"];

        await using (var first = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ticketing_AppHost>(args))
        {
        }

        var file = Path.Combine(data.Path, "jwt.key");
        var key = await File.ReadAllTextAsync(file);
        Assert.True(Convert.FromBase64String(key).Length >= 32);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        await using (var second = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ticketing_AppHost>(args))
        {
        }

        Assert.Equal(key, await File.ReadAllTextAsync(file));
    }
}
