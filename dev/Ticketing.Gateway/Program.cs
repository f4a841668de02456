using System.Text.Json;
using Ticketing.Common.Hosting;
using Ticketing.Common.Http;
using Ticketing.Gateway;
using Yarp.ReverseProxy.Forwarder;

// The local ingress. Routes are exactly infra/k8s/ingress.yaml's (appsettings.json, kept equal by a test); a service
// that is not running answers 503 in the error contract; /health lists every service's readiness.
var builder = WebApplication.CreateBuilder(args);
var options = GatewayOptions.From(builder.Configuration);
builder.Services.AddSingleton(options);
builder.Services.AddSingleton<ServiceHealth>();
builder.Services.AddHttpClient(ServiceHealth.HttpClientName);
builder.Services.AddReverseProxy().LoadFromMemory(options.ProxyRoutes(), options.ProxyClusters());
builder.Services.ConfigureHttpJsonOptions(o => ServiceDefaults.ConfigureJson(o.SerializerOptions));
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;   // a body without a length is cut off here too
});
builder.AddOpenTelemetryDefaults("gateway");

var app = builder.Build();

// The gateway's own failures (no route, a service down) in the same error contract as every API.
app.UseStatusCodePages(context => ApiProblem.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode));

app.MapGet("/health/live", () => TypedResults.Json(new { status = "Healthy" }));
app.MapGet("/health", async (ServiceHealth health, CancellationToken cancellationToken) =>
{
    var report = await health.CheckAsync(cancellationToken);
    return TypedResults.Json(report, HealthJson.Options, statusCode: report.Status == "Unhealthy" ? 503 : 200);
});

// The gateway's own page (what runs, readiness, API documents, the dashboard): at /gateway always, and at / too
// until the web client runs and takes /.
async Task<IResult> RenderLandingPageAsync(HttpContext context, ServiceHealth health, CancellationToken cancellationToken) =>
    TypedResults.Content(
        LandingPage.Render(options, await health.CheckAsync(cancellationToken), $"{context.Request.Scheme}://{context.Request.Host}"),
        "text/html; charset=utf-8");

app.MapGet(LandingPage.Path, RenderLandingPageAsync);
if (!options.FallbackRuns)
{
    app.MapGet("/", RenderLandingPageAsync);
}

app.MapReverseProxy(proxy => proxy.Use(async (context, next) =>
{
    // As ingress-nginx's proxy-body-size: a declared body over the limit is refused before anything is forwarded
    // (forwarding it made the service close the connection mid-upload: 502 in 9 of 10 tries).
    if (context.Request.ContentLength is { } length && length > options.MaxRequestBodyBytes)
    {
        // Read and drop a moderately large body first (not forwarded): answering while the caller is still sending
        // makes its HTTP stack see a broken pipe instead of the 413. A caller that sent Expect: 100-continue sends
        // nothing; a huge body is not read at all (the connection closes, as ingress-nginx does).
        if (length <= 16 * options.MaxRequestBodyBytes && !context.Request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase)
            && context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
        }

        context.Response.Headers.Connection = "close";
        await ApiProblem.WriteAsync(context, StatusCodes.Status413PayloadTooLarge);
        return;
    }

    await next();
    if (context.GetForwarderErrorFeature() is { } failure && !context.Response.HasStarted)
    {
        var service = context.GetReverseProxyFeature().Route.Config.ClusterId ?? "the";
        var tooLarge = failure.Exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
            || failure.Exception?.InnerException is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge };
        var (status, message) = tooLarge ? (413, "Request body too large") : failure.Error switch
        {
            ForwarderError.NoAvailableDestinations => (503, $"The {service} service is not running; try again later"),
            ForwarderError.Request => (503, $"The {service} service is not available; try again later"),
            ForwarderError.RequestTimedOut => (504, $"The {service} service did not answer in time"),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient => (400, "The request was cancelled or its body could not be read"),
            _ => (502, $"The {service} service gave no valid answer"),
        };
        context.Response.Clear();
        await ApiProblem.WriteAsync(context, status, new ApiError(message));
    }
}));

app.Run();

/// <summary>The entry point, visible to the gateway tests' WebApplicationFactory.</summary>
public partial class Program;

internal static class HealthJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
