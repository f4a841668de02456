using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ticketing.Common.Http;

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

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live"), ResponseWriter = WriteHealthAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteHealthAsync });

        // The ingress sends every path no API claims here, /api/... included (e.g. an API that is not deployed):
        // those callers want the error contract, not a web page.
        app.Map("/api/{**rest}", (HttpContext context) => ApiProblem.WriteAsync(context, StatusCodes.Status404NotFound));
        app.MapStaticAssets();
        app.UseAntiforgery();
        return app;
    }

    /// <summary>The same health JSON as every API service: <c>{ status, durationMs, checks }</c>.</summary>
    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString(), durationMs = Math.Round(entry.Value.Duration.TotalMilliseconds, 1) }),
        });
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
