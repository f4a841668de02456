using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using Ticketing.Common.Hosting;
using Ticketing.Common.Messaging;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Common.Tests.Messaging;

/// <summary>How a service's NATS identity, inbox and TLS come from its settings (decision 0013).</summary>
public sealed class NatsConnectionSettingsTests : IDisposable
{
    private readonly TempDirectory _files = new("nats-settings");

    public void Dispose() => _files.Dispose();

    private static NatsConnectionSettings From(params (string Key, string Value)[] settings) =>
        NatsConnectionSettings.From(
            new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build(),
            "nats://nats:4222");

    private string File(string name)
    {
        var path = Path.Combine(_files.Path, name);
        System.IO.File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        return path;
    }

    [Fact]
    public void UserAndPassword_AreTheIdentity_AndTheInboxIsTheUsersOwn()
    {
        var opts = From(("NATS_USER", "tickets"), ("NATS_PASSWORD", "secret")).Opts("tickets", NullLoggerFactory.Instance);

        Assert.Equal(("tickets", "secret"), (opts.AuthOpts.Username, opts.AuthOpts.Password));
        Assert.Equal("_INBOX_tickets", opts.InboxPrefix);
        Assert.Equal(TlsMode.Auto, opts.TlsOpts.Mode);
    }

    [Fact]
    public void WithoutAUser_TheInboxIsNatsDefault()
    {
        var opts = From().Opts("x", NullLoggerFactory.Instance);

        Assert.Equal(NatsOpts.Default.InboxPrefix, opts.InboxPrefix);
        Assert.Null(opts.AuthOpts.Username);
    }

    [Theory]
    [InlineData("NATS_PASSWORD", "secret", "NATS_PASSWORD")]
    [InlineData("NATS_USER", "tickets", "NATS_USER")]
    [InlineData("NATS_TLS_CERT_FILE", "/x.pem", "NATS_TLS_CERT_FILE")]
    public void AnIncompleteIdentityOrCertificate_StopsTheStart_NamingTheSetting(string key, string value, string named)
    {
        var error = Assert.Throws<InvalidSettingException>(() => From((key, value)));

        Assert.Equal(named, error.Setting);
    }

    [Fact]
    public void ACaFile_RequiresTls_AndAMissingFileStopsTheStart()
    {
        var ca = File("ca.pem");

        var opts = From(("NATS_TLS_CA_FILE", ca)).Opts("x", NullLoggerFactory.Instance);
        Assert.Equal((TlsMode.Require, ca), (opts.TlsOpts.Mode, opts.TlsOpts.CaFile));

        var missing = Assert.Throws<InvalidSettingException>(() => From(("NATS_TLS_CA_FILE", Path.Combine(_files.Path, "none.pem"))));
        Assert.Equal("NATS_TLS_CA_FILE", missing.Setting);
    }

    [Fact]
    public void TlsRequired_WithAClientCertificate_UsesBoth()
    {
        var (cert, key) = (File("client.pem"), File("client.key"));

        var opts = From(("NATS_TLS_REQUIRED", "true"), ("NATS_TLS_CERT_FILE", cert), ("NATS_TLS_KEY_FILE", key)).Opts("x", NullLoggerFactory.Instance);

        Assert.Equal((TlsMode.Require, cert, key), (opts.TlsOpts.Mode, opts.TlsOpts.CertFile, opts.TlsOpts.KeyFile));
    }
}
