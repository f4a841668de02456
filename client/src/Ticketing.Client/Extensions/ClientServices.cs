using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Ticketing.Client.Api;
using Ticketing.Common.Hosting;

namespace Ticketing.Client.Extensions;

/// <summary>All of the client's wiring: settings, the typed API clients, Razor components, health, telemetry.</summary>
public static class ClientServices
{
    public static WebApplicationBuilder AddClientServices(this WebApplicationBuilder builder)
    {
        var settings = ClientSettings.From(builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new ApiSettings(settings.ApiUrl, settings.ApiHost, settings.ApiTimeout));
        services.AddHttpContextAccessor();
        services.AddTransient<ApiForwardingHandler>();
        services.AddScoped<BrowserSession>();
        services.AddScoped<UserSession>();

        AddApi<AuthApi>(services, settings);
        AddApi<TicketsApi>(services, settings);
        AddApi<OrdersApi>(services, settings);
        AddApi<PaymentsApi>(services, settings);

        services.AddRazorComponents();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = ".ticketing.antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });

        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // The ingress (or the local gateway) puts the browser's address last; trust only that hop, as the APIs do.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = 1;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
        });

        services.AddHealthChecks().AddCheck("self", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(), tags: ["live", "ready"]);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        // Run from the build output (the local run, tests) in any environment, the static files (app.css, the
        // framework's blazor.web.js, their compressed copies) are found through the build's manifest; a published app
        // has them in wwwroot and this does nothing.
        builder.WebHost.UseStaticWebAssets();
        builder.AddOpenTelemetryDefaults("client");
        return builder;
    }

    /// <summary>
    /// A typed client to the ingress. Cookies are never kept by the handler (<c>UseCookies = false</c>): a shared cookie
    /// jar would hand one person's session to the next request. Redirects are not followed (the APIs do not redirect).
    /// </summary>
    private static void AddApi<TClient>(IServiceCollection services, ClientSettings settings) where TClient : class =>
        services.AddHttpClient<TClient>(http =>
            {
                http.BaseAddress = settings.ApiUrl;
                http.Timeout = settings.ApiTimeout;
                http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                UseCookies = false,
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            .AddHttpMessageHandler<ApiForwardingHandler>();
}
