using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Ticketing.Auth.Endpoints;
using Ticketing.Common.Hosting;
using Ticketing.Common.Http;

namespace Ticketing.Auth.Extensions;

/// <summary>
/// How many signups and signins one client address may make per window (<c>AUTH_RATE_LIMIT</c> per
/// <c>AUTH_RATE_LIMIT_WINDOW_SECONDS</c>; defaults 10 per 60 s). Signup and signin have separate budgets.
/// </summary>
public sealed record AuthRateLimitSettings(int PermitLimit, TimeSpan Window)
{
    public static AuthRateLimitSettings From(IConfiguration configuration) => new(
        configuration.Int("AUTH_RATE_LIMIT", 10, 1, 1_000_000),
        configuration.Seconds("AUTH_RATE_LIMIT_WINDOW_SECONDS", TimeSpan.FromSeconds(60), 1, 24 * 3600));
}

/// <summary>
/// Fixed-window rate limits on the credential endpoints, per client address (the ingress's
/// <c>X-Forwarded-For</c>, applied by the service defaults), so nobody can guess passwords or mass-create
/// accounts quickly. A refusal is 429 in the error contract with <c>Retry-After</c> in seconds.
/// </summary>
public static class AuthRateLimiting
{
    public const string SignupPolicy = UsersEndpoints.SignupRateLimit;
    public const string SigninPolicy = UsersEndpoints.SigninRateLimit;

    public static WebApplicationBuilder AddAuthRateLimiting(this WebApplicationBuilder builder)
    {
        var settings = AuthRateLimitSettings.From(builder.Configuration);
        builder.Services.AddRateLimiter(options =>
        {
            options.AnswerRejectionsWith429(settings.Window);
            options.AddPolicy(SignupPolicy, context => PerClient(context, settings));
            options.AddPolicy(SigninPolicy, context => PerClient(context, settings));
        });
        return builder;
    }

    /// <summary>
    /// The partition a client address counts against. IPv6 clients are grouped by their /64 network, since one
    /// subscriber usually holds a whole /64 and could otherwise rotate addresses to escape the limit.
    /// </summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return $"{new IPAddress(bytes)}/64";
    }

    private static RateLimitPartition<string> PerClient(HttpContext context, AuthRateLimitSettings settings) =>
        RateLimits.FixedWindow(ClientKey(context.Connection.RemoteIpAddress), settings.PermitLimit, settings.Window);
}
