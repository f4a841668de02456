using Ticketing.Common.Hosting;
using Ticketing.Payments.Endpoints;
using Ticketing.Payments.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(PaymentsServices.ServiceName); // errors, JSON, health, OpenTelemetry, OpenAPI, body limit, shutdown window
builder.AddPaymentsServices();                            // settings, auth, storage + outbox, payment gateway, messaging, handlers, webhook rate limit

var app = builder.Build();
app.UseServiceDefaults();                                 // forwarded headers, error contract, auth, /health/*, /openapi/v1.json
app.UseRateLimiter();                                     // after the forwarded headers: the webhook limit is per client address
app.MapPaymentsEndpoints();
app.Run();

/// <summary>The entry point, visible to the endpoint tests' WebApplicationFactory.</summary>
public partial class Program;
