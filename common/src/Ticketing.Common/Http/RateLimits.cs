using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Ticketing.Common.Http;

/// <summary>
/// The one way a service rate-limits a route: a fixed window per partition (a client address, a user), and a refusal
/// that is 429 in the error contract with <c>Retry-After</c> in seconds.
/// </summary>
public static class RateLimits
{
    /// <summary>A fixed window of <paramref name="permits"/> per <paramref name="window"/> for one partition key, queueing nothing.</summary>
    public static RateLimitPartition<string> FixedWindow(string key, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    /// <summary>429 with <c>Retry-After</c>; the fixed-window limiter reports the window length, an upper bound of the real wait.</summary>
    public static void AnswerRejectionsWith429(this RateLimiterOptions options, TimeSpan window)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = (context, _) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : window;
            context.HttpContext.Response.Headers.RetryAfter =
                Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return new ValueTask(ApiProblem.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests));
        };
    }
}
