using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Ticketing.Common.Events;
using Ticketing.Common.Http;
using Ticketing.Common.Messaging;

namespace Ticketing.Common.Hosting;

/// <summary>The largest request body a service accepts (<c>MAX_REQUEST_BODY_BYTES</c>, default 1 MiB).</summary>
public sealed record RequestLimits(long MaxRequestBodyBytes);

/// <summary>
/// What every Ticketing HTTP service has, whatever it does: the error contract for every failure, strict
/// JSON, a request body limit, health endpoints for Kubernetes probes, OpenTelemetry (traces, metrics, logs)
/// exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, an OpenAPI document, the client
/// address from the ingress's <c>X-Forwarded-For</c> (from trusted proxies only), and a graceful shutdown window.
/// </summary>
public static class ServiceDefaults
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;

        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));

        var maxBody = configuration.Int("MAX_REQUEST_BODY_BYTES", 1024 * 1024, 1024, 100 * 1024 * 1024);
        services.AddSingleton(new RequestLimits(maxBody));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = maxBody;
            kestrel.AddServerHeader = false;
        });

        var trustedNetworks = TrustedNetworks(configuration);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // X-Forwarded-For/-Proto are believed only from a peer in FORWARDED_TRUSTED_NETWORKS, hop by hop from the
            // right: a spoofed entry sent by anyone else stays unread (the peer's own address counts), while the chain
            // browser -> ingress -> web client -> ingress -> API (every proxy trusted) yields the browser's address.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = 10;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
            foreach (var network in trustedNetworks)
            {
                o.KnownIPNetworks.Add(network);
            }
        });

        services.Configure<HostOptions>(o => o.ShutdownTimeout = configuration.Seconds("SHUTDOWN_TIMEOUT_SECONDS", TimeSpan.FromSeconds(30), 1, 600));
        services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"]);
        services.AddOpenApi();
        builder.AddOpenTelemetryDefaults(serviceName);
        return builder;
    }

    /// <summary>
    /// <c>FORWARDED_TRUSTED_NETWORKS</c>: the proxies whose <c>X-Forwarded-*</c> headers are believed, as comma-separated
    /// CIDRs (default loopback, <c>127.0.0.0/8,::1/128</c>: the local gateway). In Kubernetes: the pod network the
    /// ingress controller and the web client run in.
    /// </summary>
    public static IReadOnlyList<System.Net.IPNetwork> TrustedNetworks(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var raw = configuration.Optional("FORWARDED_TRUSTED_NETWORKS") ?? "127.0.0.0/8,::1/128";
        var networks = new List<System.Net.IPNetwork>();
        foreach (var part in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            networks.Add(System.Net.IPNetwork.TryParse(part, out var network)
                ? network
                : throw new InvalidSettingException("FORWARDED_TRUSTED_NETWORKS", $"must be comma-separated CIDRs such as 10.0.0.0/8,127.0.0.0/8 (got '{part}')"));
        }

        return networks;
    }

    /// <summary>The API's JSON: camelCase, enums as their contract names, numbers strictly numbers, times in UTC.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new UtcTimestampConverter());
    }

    public static IHostApplicationBuilder AddOpenTelemetryDefaults(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MessagingTelemetry.SourceName))
            .WithTracing(tracing => tracing
                .AddSource(MessagingTelemetry.SourceName, serviceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation());

        if (builder.Configuration.Optional("OTEL_EXPORTER_OTLP_ENDPOINT") is not null)
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>The middleware every service runs, in order, and the health and OpenAPI endpoints.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages(context => ApiProblem.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode));

        // Kestrel enforces the limit while reading; this answers a declared oversize body before any work,
        // on every server (the in-memory test server has no limit of its own).
        var limits = app.Services.GetRequiredService<RequestLimits>();
        app.Use((context, next) => context.Request.ContentLength > limits.MaxRequestBodyBytes
            ? ApiProblem.WriteAsync(context, StatusCodes.Status413PayloadTooLarge)
            : next(context));
        if (app.Services.GetService<IAuthenticationSchemeProvider>() is not null)
        {
            app.Use((context, next) => Auth.CrossSiteRequests.IsRefused(context.Request)
                ? Auth.CrossSiteRequests.RefuseAsync(context)
                : next(context));
            app.UseAuthentication();
            app.UseAuthorization();
        }

        app.MapHealthChecks(LivePath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("live"),
            ResponseWriter = WriteHealthAsync,
        });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteHealthAsync,
        });
        app.MapOpenApi();
        return app;
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new
                {
                    status = entry.Value.Status.ToString(),
                    // A check that threw would show the exception's message here: never exception text in a probe body.
                    description = entry.Value.Exception is null ? entry.Value.Description : "check failed",
                    durationMs = Math.Round(entry.Value.Duration.TotalMilliseconds, 1),
                }),
        });
    }
}
