using System.Collections.Concurrent;
using Ticketing.Common.Hosting;

namespace Ticketing.Auth.Endpoints;

/// <summary>
/// <c>SIGNIN_THROTTLE_FREE_ATTEMPTS</c> (3) failed sign-ins per account cost nothing extra; each further one makes the
/// account's next sign-in wait <c>SIGNIN_THROTTLE_BASE_DELAY_MS</c> (250 ms), doubling, at most
/// <c>SIGNIN_THROTTLE_MAX_DELAY_MS</c> (5 s). 0 as the base delay turns it off.
/// </summary>
public sealed record SigninThrottleSettings(int FreeAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    /// <summary>An account's failures are forgotten this long after its last one.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(15);

    public static SigninThrottleSettings From(IConfiguration configuration) => new(
        configuration.Int("SIGNIN_THROTTLE_FREE_ATTEMPTS", 3, 0, 1000),
        configuration.Milliseconds("SIGNIN_THROTTLE_BASE_DELAY_MS", TimeSpan.FromMilliseconds(250), 0, 60_000),
        configuration.Milliseconds("SIGNIN_THROTTLE_MAX_DELAY_MS", TimeSpan.FromSeconds(5), 0, 60_000));
}

/// <summary>
/// A per-account brake on password guessing that can never lock the owner out: every sign-in for an account with
/// recent failures is answered only after a delay that grows with them (capped), whatever the password, so a guesser
/// gets a few tries a minute per account while the real owner, with the right password, always gets in (after at
/// most the cap) and resets the count. No refusal, no lock: nobody can keep someone else out of their account. Keyed
/// by the normalized email whether or not it has an account, so the delay says nothing about which emails exist.
/// Per process (each auth replica counts its own); the per-address rate limit bounds the rest.
/// </summary>
public sealed class SigninThrottle(SigninThrottleSettings settings, TimeProvider timeProvider)
{
    private const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset Last)> _failures = new(StringComparer.Ordinal);

    /// <summary>How long a sign-in for <paramref name="email"/> waits before its password is checked.</summary>
    public TimeSpan DelayFor(string email)
    {
        if (settings.BaseDelay <= TimeSpan.Zero || !_failures.TryGetValue(email, out var entry))
        {
            return TimeSpan.Zero;
        }

        if (timeProvider.GetUtcNow() - entry.Last > SigninThrottleSettings.ForgetAfter)
        {
            _failures.TryRemove(email, out _);
            return TimeSpan.Zero;
        }

        var over = entry.Failures - settings.FreeAttempts;
        if (over <= 0)
        {
            return TimeSpan.Zero;
        }

        var delay = settings.BaseDelay * Math.Pow(2, Math.Min(over - 1, 20));
        return delay < settings.MaxDelay ? delay : settings.MaxDelay;
    }

    public void Failed(string email)
    {
        var now = timeProvider.GetUtcNow();
        if (_failures.Count >= MaxTracked)
        {
            Prune(now);
        }

        _failures.AddOrUpdate(email, (1, now), (_, entry) => (
            now - entry.Last > SigninThrottleSettings.ForgetAfter ? 1 : entry.Failures + 1,
            now));
    }

    public void Succeeded(string email) => _failures.TryRemove(email, out _);

    private void Prune(DateTimeOffset now)
    {
        foreach (var (email, entry) in _failures)
        {
            if (now - entry.Last > SigninThrottleSettings.ForgetAfter)
            {
                _failures.TryRemove(email, out _);
            }
        }

        // Still full (a flood of distinct emails): start over rather than grow without bound.
        if (_failures.Count >= MaxTracked)
        {
            _failures.Clear();
        }
    }
}
