using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Ticketing.Client.Extensions;

/// <summary>The request pipeline: error and not-found pages, security headers, static files, antiforgery, health.</summary>
public static class ClientPipeline
{
    public static WebApplication UseClientPipeline(this WebApplication app)
    {
        // In every environment: an unexpected failure shows the error page (no stack trace, no internals), and any
        // 404 without a body (an unknown path) shows the not-found page.
        app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);

        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = ContentSecurityPolicy(app.Services.GetRequiredService<ClientSettings>());
            return next(context);
        });

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapStaticAssets();
        app.UseAntiforgery();
        return app;
    }

    /// <summary>Everything from this site only; Stripe's script and frames only when Stripe Elements is on.</summary>
    internal static string ContentSecurityPolicy(ClientSettings settings)
    {
        var stripe = settings.UsesStripe;
        return string.Join("; ",
            "default-src 'self'",
            stripe ? "script-src 'self' https://js.stripe.com" : "script-src 'self'",
            stripe ? "frame-src https://js.stripe.com https://hooks.stripe.com" : "frame-src 'none'",
            stripe ? "connect-src 'self' https://api.stripe.com" : "connect-src 'self'",
            "img-src 'self' data:",
            "style-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'self'");
    }
}
