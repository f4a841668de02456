using Ticketing.Common.Hosting;
using Ticketing.Expiration.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ExpirationServices.ServiceName); // errors, health, OpenTelemetry, shutdown window
builder.AddExpirationServices();                            // settings, Redis, Hangfire (storage, server), messaging, handlers

var app = builder.Build();
app.UseServiceDefaults();                                   // /health/live, /health/ready (Redis, NATS)
app.MapExpirationDashboard();                               // /hangfire: read-only, local requests only
app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
