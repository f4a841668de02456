using Ticketing.Auth.Endpoints;
using Ticketing.Auth.Extensions;
using Ticketing.Common.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("auth");     // errors, JSON, health, OpenTelemetry, OpenAPI, body limit
builder.AddAuthServices();              // settings, session tokens, users store, password hashing, rate limits

var app = builder.Build();
app.UseServiceDefaults();               // forwarded headers, error contract, authentication, /health/*, /openapi/v1.json
app.UseRateLimiter();                   // after the forwarded headers: the limits are per client address
app.MapUsersEndpoints();
app.Run();

/// <summary>The entry point, visible to the endpoint tests' WebApplicationFactory.</summary>
public partial class Program;
