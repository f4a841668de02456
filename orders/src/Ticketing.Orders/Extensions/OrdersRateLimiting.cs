using Ticketing.Common.Auth;
using Ticketing.Common.Hosting;
using Ticketing.Common.Http;
using Ticketing.Orders.Endpoints;

namespace Ticketing.Orders.Extensions;

/// <summary>
/// How many orders one user may place per window (<c>ORDER_RATE_LIMIT</c> per <c>ORDER_RATE_LIMIT_WINDOW_SECONDS</c>;
/// defaults 30 per 60 s), counted per signed-in user, not per address: one person cannot churn reservations
/// (place, cancel, place again) to keep tickets away from everyone else.
/// </summary>
public static class OrdersRateLimiting
{
    public static WebApplicationBuilder AddOrdersRateLimiting(this WebApplicationBuilder builder)
    {
        var permits = builder.Configuration.Int("ORDER_RATE_LIMIT", 30, 1, 1_000_000);
        var window = builder.Configuration.Seconds("ORDER_RATE_LIMIT_WINDOW_SECONDS", TimeSpan.FromSeconds(60), 1, 24 * 3600);
        builder.Services.AddRateLimiter(options =>
        {
            options.AnswerRejectionsWith429(window);
            options.AddPolicy(OrdersEndpoints.CreateRateLimit, context =>
                RateLimits.FixedWindow(context.RequestServices.GetRequiredService<ICurrentUser>().User?.Id ?? "anonymous", permits, window));
        });
        return builder;
    }
}
