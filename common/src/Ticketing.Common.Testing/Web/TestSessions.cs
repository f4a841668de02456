using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Ticketing.Common.Auth;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Common.Testing.Web;

/// <summary>Session revocation as auth does it, for services' tests: the same <see cref="SessionRevoker"/> writing the same bucket.</summary>
public static class TestSessions
{
    /// <summary>Revokes the session of <paramref name="token"/> in the <c>revoked-sessions</c> bucket of <paramref name="natsUrl"/>, as auth's sign-out does.</summary>
    public static async Task RevokeAsync(string natsUrl, string token)
    {
        var jwt = new JsonWebToken(token);
        var session = new SessionUser(jwt.Subject, jwt.GetPayloadValue<string>("email"), jwt.IssuedAt, jwt.ValidTo)
        {
            SessionId = jwt.Id,
        };
        // As auth, the only user allowed to write revocations on a secured server.
        // On an open server nobody provisioned the bucket: create it as auth does with NATS_PROVISION.
        var connection = NatsServer.HarnessSettings(natsUrl, "auth");
        var options = new SessionRevocationOptions(natsUrl, TimeSpan.FromDays(7)) { Connection = connection, Provision = connection.User is null };
        await using var bucket = new RevocationBucket(options, NullLoggerFactory.Instance);
        var revoker = new SessionRevoker(new RevokedSessions(TimeProvider.System), bucket, NullLogger<SessionRevoker>.Instance);
        await revoker.RevokeAsync(session);
    }

    /// <summary>
    /// Calls <paramref name="call"/> every 10 ms until it answers 401 and returns how long that took from the first
    /// call; throws when it has not within <paramref name="limit"/>.
    /// </summary>
    public static async Task<TimeSpan> TimeUntilRefusedAsync(Func<Task<HttpStatusCode>> call, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            if (await call() == HttpStatusCode.Unauthorized)
            {
                return watch.Elapsed;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"The revoked token was still accepted after {limit.TotalMilliseconds} ms");
    }
}
