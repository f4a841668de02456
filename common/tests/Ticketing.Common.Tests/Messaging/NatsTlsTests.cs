using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using Ticketing.Common.Messaging;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Common.Tests.Messaging;

/// <summary>
/// TLS to NATS as a service configures it (<c>NATS_TLS_CA_FILE</c>, <c>NATS_TLS_REQUIRED</c>), against a real
/// nats-server serving a certificate from a CA made for the test.
/// </summary>
public sealed class NatsTlsTests : IAsyncLifetime
{
    private readonly TempDirectory _files = new("nats-tls");
    private readonly int _port = FreePort.Next();
    private ChildProcess? _server;

    private string CaFile => Path.Combine(_files.Path, "ca.pem");

    private string Url => $"nats://127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}";

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Ticketing test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=nats", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, now.AddDays(-1), now.AddHours(23), RandomNumberGenerator.GetBytes(8));

        await File.WriteAllTextAsync(CaFile, ca.ExportCertificatePem());
        var cert = Path.Combine(_files.Path, "server.pem");
        var key = Path.Combine(_files.Path, "server.key");
        await File.WriteAllTextAsync(cert, server.ExportCertificatePem());
        await File.WriteAllTextAsync(key, serverKey.ExportPkcs8PrivateKeyPem());

        var program = ChildProcess.Find("nats-server") ?? throw new InvalidOperationException("nats-server is not installed");
        _server = await ChildProcess.StartAsync(
            program, ["-a", "127.0.0.1", "-p", _port.ToString(CultureInfo.InvariantCulture), "--tls", "--tlscert", cert, "--tlskey", key],
            "Server is ready", TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _files.Dispose();
    }

    private NatsConnection Connect(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build();
        return NatsConnectionSettings.From(configuration, Url).Connect("tls-test", NullLoggerFactory.Instance, retryOnInitialConnect: false);
    }

    [Fact]
    public async Task WithTheServersCa_TheServiceConnectsOverTls()
    {
        await using var connection = Connect(("NATS_TLS_CA_FILE", CaFile));

        await connection.ConnectAsync();

        Assert.Equal(NatsConnectionState.Open, connection.ConnectionState);
        Assert.True(connection.ServerInfo!.TlsRequired);
    }

    [Fact]
    public async Task TlsRequired_WithoutTrustingTheServersCa_DoesNotConnect()
    {
        await using var connection = Connect(("NATS_TLS_REQUIRED", "true"));

        await Assert.ThrowsAnyAsync<Exception>(async () => await connection.ConnectAsync());
        Assert.NotEqual(NatsConnectionState.Open, connection.ConnectionState);
    }
}
