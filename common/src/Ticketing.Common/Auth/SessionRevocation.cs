using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using Ticketing.Common.Hosting;
using Ticketing.Common.Messaging;

namespace Ticketing.Common.Auth;

/// <summary>
/// Where revoked sessions are shared: the JetStream key-value bucket <see cref="Bucket"/> on <c>NATS_URL</c>
/// (one key per revoked session id, the value its expiry in Unix seconds). Without <c>NATS_URL</c> a service
/// knows only the sessions it revoked itself (auth still refuses its own signed-out tokens; see decision 0011).
/// </summary>
public sealed record SessionRevocationOptions(string? NatsUrl, TimeSpan TokenLifetime)
{
    public const string Bucket = "revoked-sessions";

    /// <summary>Identity and TLS for the bucket's connection (the service's NATS settings); null: anonymous, plain.</summary>
    public NatsConnectionSettings? Connection { get; init; }

    /// <summary><c>NATS_PROVISION</c>: auth creates the bucket when it is missing (else the provisioning step does).</summary>
    public bool Provision { get; init; }

    /// <summary>How long the bucket keeps a revocation: the longest a token lives, plus the validation clock skew.</summary>
    public TimeSpan MaxAge => TokenLifetime + TimeSpan.FromMinutes(1);

    public static SessionRevocationOptions From(IConfiguration configuration, JwtOptions jwt) =>
        new(configuration.Optional("NATS_URL"), jwt.Lifetime)
        {
            Connection = NatsConnectionSettings.FromOptional(configuration),
            Provision = configuration.Bool("NATS_PROVISION", false),
        };
}

/// <summary>
/// The session ids this process knows are revoked, with their tokens' expiry (after which the token is refused
/// anyway and the id is forgotten). Fed by <see cref="RevokedSessionsWatcher"/> and by local revocations;
/// <see cref="IsRevoked"/> is a dictionary lookup, so validating a token stays local and fast.
/// </summary>
public sealed class RevokedSessions(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private long _adds;

    public int Count => _revoked.Count;

    /// <summary>True once the watcher has read every revocation the bucket held when it started (or there is no bucket to read).</summary>
    public bool CaughtUp { get; internal set; }

    public bool IsRevoked(string sessionId) => _revoked.ContainsKey(sessionId);

    public void Add(string sessionId, DateTimeOffset expiresAt)
    {
        _revoked[sessionId] = expiresAt;
        if (Interlocked.Increment(ref _adds) % 1024 == 0)
        {
            ForgetExpired();
        }
    }

    /// <summary>Drops ids whose tokens have expired (with a minute of clock skew): those tokens are refused anyway.</summary>
    public void ForgetExpired()
    {
        var cutoff = timeProvider.GetUtcNow() - TimeSpan.FromMinutes(1);
        foreach (var (id, expires) in _revoked)
        {
            if (expires < cutoff)
            {
                _revoked.TryRemove(id, out _);
            }
        }
    }
}

/// <summary>Shared NATS plumbing of the revocation bucket: one connection of its own per process (auth has no messaging).</summary>
public sealed class RevocationBucket(SessionRevocationOptions options, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NatsConnection? _connection;
    private INatsKVStore? _store;

    public bool Configured => options.NatsUrl is not null;

    /// <summary>
    /// The bucket, looked up (404 until the provisioning step made it); created when missing only if
    /// <paramref name="create"/> (auth, the only writer) and <see cref="SessionRevocationOptions.Provision"/>.
    /// </summary>
    public async Task<INatsKVStore> GetAsync(bool create, CancellationToken cancellationToken)
    {
        if (_store is { } store)
        {
            return store;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_store is not null)
            {
                return _store;
            }

            var settings = options.Connection
                ?? new NatsConnectionSettings(options.NatsUrl ?? throw new InvalidOperationException("NATS_URL is not set"));
            _connection ??= settings.Connect("sessions", loggerFactory);
            var kv = new NatsKVContext(new NatsJSContext(_connection));
            _store = create && options.Provision
                ? await kv.CreateStoreAsync(new NatsKVConfig(SessionRevocationOptions.Bucket) { MaxAge = options.MaxAge, History = 1 }, cancellationToken)
                : await kv.GetStoreAsync(SessionRevocationOptions.Bucket, cancellationToken);
            return _store;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _gate.Dispose();
    }
}

/// <summary>
/// Revokes a session: remembered here at once (this process refuses the token from now on) and written to the
/// shared bucket, which every service watches. A write that fails (NATS down) is retried in the background until
/// it succeeds or the token has expired; the sign-out itself never fails because of it.
/// </summary>
public sealed class SessionRevoker(
    RevokedSessions revoked,
    RevocationBucket bucket,
    ILogger<SessionRevoker> logger) : BackgroundService
{
    private readonly System.Threading.Channels.Channel<(string Id, DateTimeOffset ExpiresAt)> _retries =
        System.Threading.Channels.Channel.CreateUnbounded<(string, DateTimeOffset)>();

    public async Task RevokeAsync(SessionUser session, CancellationToken cancellationToken = default)
    {
        if (!SessionTokens.IsSessionId(session.SessionId))
        {
            return;
        }

        revoked.Add(session.SessionId, session.ExpiresAt);
        if (!bucket.Configured)
        {
            return;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await WriteAsync(session.SessionId, session.ExpiresAt, timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "A session revocation could not be shared yet ({Error}); retrying in the background", ex.Message);
            _retries.Writer.TryWrite((session.SessionId, session.ExpiresAt));
        }
    }

    private async Task WriteAsync(string sessionId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var store = await bucket.GetAsync(create: true, cancellationToken);
        await store.PutAsync(sessionId, expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), cancellationToken: cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The writer looks the bucket up at start (and creates it with NATS_PROVISION), so a missing one is reported
        // before the first sign-out.
        for (var attempt = 1; bucket.Configured && !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await bucket.GetAsync(create: true, stoppingToken);
                break;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(
                    "The revoked-sessions bucket is not available yet ({Error}); attempt {Attempt}. Without NATS_PROVISION the provisioning step creates it (ticketing nats provision)",
                    ex.Message, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt)), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await foreach (var (id, expiresAt) in _retries.Reader.ReadAllAsync(stoppingToken))
        {
            for (var attempt = 1; !stoppingToken.IsCancellationRequested && expiresAt > DateTimeOffset.UtcNow; attempt++)
            {
                try
                {
                    await WriteAsync(id, expiresAt, stoppingToken);
                    logger.LogInformation("A delayed session revocation is now shared");
                    break;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Session revocation still not shared ({Error}); attempt {Attempt}", ex.Message, attempt);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt)), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
    }
}

/// <summary>
/// Watches the revocation bucket and feeds <see cref="RevokedSessions"/>: first every revocation it holds, then each
/// new one as it is written (about a millisecond later). Reconnects and starts over when the watch ends.
/// </summary>
public sealed class RevokedSessionsWatcher(
    RevokedSessions revoked,
    RevocationBucket bucket,
    ILogger<RevokedSessionsWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var store = await bucket.GetAsync(create: false, stoppingToken);
                var opts = new NatsKVWatchOpts
                {
                    OnNoData = _ =>
                    {
                        revoked.CaughtUp = true;
                        return ValueTask.FromResult(true);
                    },
                };
                await foreach (var entry in store.WatchAsync<string>(">", opts: opts, cancellationToken: stoppingToken))
                {
                    attempt = 1;
                    if (entry.Operation == NatsKVOperation.Put
                        && long.TryParse(entry.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var exp))
                    {
                        revoked.Add(entry.Key, DateTimeOffset.FromUnixTimeSeconds(exp));
                    }

                    if (entry.Delta == 0)
                    {
                        revoked.CaughtUp = true;
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (IsMissingBucket(ex) && !stoppingToken.IsCancellationRequested)
            {
                // No bucket yet (auth creates it at start): nothing has been revoked. Look again soon, so the first
                // revocation after auth creates it is seen within the second.
                revoked.CaughtUp = true;
                await Task.Delay(TimeSpan.FromMilliseconds(250), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                attempt = 0;
                continue;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Watching revoked sessions failed ({Error}); trying again", ex.Message);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 200 * attempt)), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    internal static bool IsMissingBucket(Exception ex) =>
        ex is NatsJSApiException { Error.Code: 404 } || (ex is NatsKVException && ex.Message.Contains("not found", StringComparison.OrdinalIgnoreCase));
}
