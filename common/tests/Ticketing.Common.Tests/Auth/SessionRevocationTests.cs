using Microsoft.Extensions.Logging.Abstractions;
using Ticketing.Common.Auth;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Common.Tests.Auth;

/// <summary>The revoked-sessions bucket as the services use it (decision 0011), on a real nats-server.</summary>
public sealed class SessionRevocationTests
{
    private static SessionUser Session() =>
        new("u1", "u1@test.dev", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(7)) { SessionId = Guid.NewGuid().ToString("N") };

    [Fact]
    public async Task Reader_BeforeAuthCreatedTheBucket_SeesAMissingBucket_NotAnOutage()
    {
        await using var nats = await NatsServer.StartNewAsync();
        await using var bucket = new RevocationBucket(new SessionRevocationOptions(nats.Url, TimeSpan.FromDays(7)), NullLoggerFactory.Instance);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => bucket.GetAsync(create: false, CancellationToken.None));

        Assert.True(RevokedSessionsWatcher.IsMissingBucket(error), $"{error.GetType().Name}: {error.Message}");
    }

    [Fact]
    public async Task Watcher_StartedBeforeTheBucketExists_SeesTheFirstRevocationWithin1s()
    {
        await using var nats = await NatsServer.StartNewAsync();
        var options = new SessionRevocationOptions(nats.Url, TimeSpan.FromDays(7));
        await using var readerBucket = new RevocationBucket(options, NullLoggerFactory.Instance);
        var revoked = new RevokedSessions(TimeProvider.System);
        using var watcher = new RevokedSessionsWatcher(revoked, readerBucket, NullLogger<RevokedSessionsWatcher>.Instance);
        await watcher.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => revoked.CaughtUp, "the watcher to find no bucket");
        // Deliberately let time pass (not a wait for a condition): after several missed lookups the watcher must still
        // look again every 250 ms, not back off to seconds.
        await Task.Delay(TimeSpan.FromSeconds(3));

        // auth on an open server with NATS_PROVISION creates the bucket with its first write (the provisioning step would).
        await using var writerBucket = new RevocationBucket(options with { Provision = true }, NullLoggerFactory.Instance);
        var revoker = new SessionRevoker(new RevokedSessions(TimeProvider.System), writerBucket, NullLogger<SessionRevoker>.Instance);
        var session = Session();
        await revoker.RevokeAsync(session);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.TrueAsync(() => revoked.IsRevoked(session.SessionId), "the revocation to arrive", TimeSpan.FromSeconds(1));

        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        await watcher.StopAsync(CancellationToken.None);
    }
}
