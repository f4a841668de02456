using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Ticketing.Common.Hosting;

namespace Ticketing.Common.Messaging;

/// <summary>
/// How one process connects to NATS: <c>NATS_URL</c>, its identity (<c>NATS_USER</c>/<c>NATS_PASSWORD</c>, or a
/// <c>NATS_CREDS_FILE</c>), TLS (<c>NATS_TLS_CA_FILE</c>, <c>NATS_TLS_CERT_FILE</c>/<c>NATS_TLS_KEY_FILE</c>,
/// <c>NATS_TLS_REQUIRED</c>) and its reply inbox. Every connection of a service (messaging, the revoked-sessions
/// watcher) is made here, so each uses the same identity and logs what the server refuses.
/// </summary>
/// <remarks>
/// The permission file (infra/nats/auth.conf) lets user <c>X</c> subscribe only to <c>_INBOX_X.&gt;</c>: a shared
/// <c>_INBOX.&gt;</c> would let one service read another's replies (PubAcks, consumer info). So with a user the
/// inbox prefix is <c>_INBOX_&lt;user&gt;</c>; without one (an open nats-server) it is NATS's default.
/// </remarks>
public sealed record NatsConnectionSettings(string Url)
{
    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>A NATS credentials file (JWT + nkey seed), the alternative to user and password.</summary>
    public string? CredsFile { get; init; }

    /// <summary>The CA that signed the server's certificate (PEM); setting it implies TLS.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>A client certificate and its key (PEM), for a server that verifies clients.</summary>
    public string? TlsCertFile { get; init; }

    public string? TlsKeyFile { get; init; }

    /// <summary>Refuse to talk to the server without TLS (also implied by a <c>tls://</c> URL).</summary>
    public bool TlsRequired { get; init; }

    /// <summary>Where replies to this process's requests arrive: <c>_INBOX_&lt;user&gt;</c> with a user, NATS's default without.</summary>
    public string InboxPrefix => User is { Length: > 0 } user ? $"_INBOX_{user}" : NatsOpts.Default.InboxPrefix;

    /// <summary>The settings from configuration; null when <c>NATS_URL</c> is not set. Throws when they contradict each other.</summary>
    public static NatsConnectionSettings? FromOptional(IConfiguration configuration) =>
        configuration.Optional("NATS_URL") is { } url ? From(configuration, url) : null;

    /// <summary>The settings from configuration, for the server at <paramref name="url"/>.</summary>
    public static NatsConnectionSettings From(IConfiguration configuration, string url)
    {
        var settings = new NatsConnectionSettings(url)
        {
            User = configuration.Optional("NATS_USER"),
            Password = configuration.Optional("NATS_PASSWORD"),
            CredsFile = configuration.Optional("NATS_CREDS_FILE"),
            TlsCaFile = configuration.Optional("NATS_TLS_CA_FILE"),
            TlsCertFile = configuration.Optional("NATS_TLS_CERT_FILE"),
            TlsKeyFile = configuration.Optional("NATS_TLS_KEY_FILE"),
            TlsRequired = configuration.Bool("NATS_TLS_REQUIRED", false),
        };
        if (settings.Password is not null && settings.User is null)
        {
            throw new InvalidSettingException("NATS_PASSWORD", "is set without NATS_USER");
        }

        if (settings.User is not null && settings.Password is null && settings.CredsFile is null)
        {
            throw new InvalidSettingException("NATS_USER", "is set without NATS_PASSWORD (or NATS_CREDS_FILE)");
        }

        if ((settings.TlsCertFile is null) != (settings.TlsKeyFile is null))
        {
            throw new InvalidSettingException("NATS_TLS_CERT_FILE", "and NATS_TLS_KEY_FILE must be set together");
        }

        foreach (var (name, path) in new[] { ("NATS_CREDS_FILE", settings.CredsFile), ("NATS_TLS_CA_FILE", settings.TlsCaFile), ("NATS_TLS_CERT_FILE", settings.TlsCertFile), ("NATS_TLS_KEY_FILE", settings.TlsKeyFile) })
        {
            if (path is not null && !File.Exists(path))
            {
                throw new InvalidSettingException(name, $"names a file that does not exist ({path})");
            }
        }

        return settings;
    }

    /// <summary>The client options for a connection named <paramref name="connectionName"/>.</summary>
    public NatsOpts Opts(string connectionName, ILoggerFactory loggerFactory)
    {
        var tls = NatsTlsOpts.Default;
        if (TlsCaFile is not null || TlsCertFile is not null || TlsRequired)
        {
            tls = tls with
            {
                Mode = TlsMode.Require,
                CaFile = TlsCaFile,
                CertFile = TlsCertFile,
                KeyFile = TlsKeyFile,
            };
        }

        return NatsOpts.Default with
        {
            Url = Url,
            Name = connectionName,
            RetryOnInitialConnect = true,
            LoggerFactory = loggerFactory,
            InboxPrefix = InboxPrefix,
            AuthOpts = NatsAuthOpts.Default with { Username = User, Password = Password, CredsFile = CredsFile },
            TlsOpts = tls,
        };
    }

    /// <summary>
    /// A connection with these settings that logs every error the server reports. A publish or JetStream call the
    /// permissions refuse does not fail fast (the publish times out; a plain publish never fails): the
    /// <c>Permissions Violation</c> the server sends is the only trace, so it is logged as an error.
    /// </summary>
    public NatsConnection Connect(string connectionName, ILoggerFactory loggerFactory, bool retryOnInitialConnect = true)
    {
        var connection = new NatsConnection(Opts(connectionName, loggerFactory) with { RetryOnInitialConnect = retryOnInitialConnect });
        var logger = loggerFactory.CreateLogger("Ticketing.Common.Messaging.NatsServerErrors");
        connection.ServerError += (_, args) =>
        {
            logger.LogError(
                "NATS refused a request of connection {Connection} (user {User}): {Error}. If it is a Permissions Violation, this service needs a permission the permission file (infra/nats/auth.conf) does not grant",
                connectionName, User ?? "(none)", args.Error);
            return ValueTask.CompletedTask;
        };
        return connection;
    }
}
