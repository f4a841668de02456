using Ticketing.Common.Hosting;
using Ticketing.Orders.Endpoints;
using Ticketing.Orders.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(OrdersServices.ServiceName); // errors, JSON, health, OpenTelemetry, OpenAPI, body limit
builder.AddOrdersServices();                             // settings, auth, storage, messaging, handlers, validators

var app = builder.Build();
app.UseServiceDefaults();                                // forwarded headers, error contract, auth, /health/*, /openapi/v1.json
app.UseRateLimiter();                                    // after authentication: order creation is limited per user
app.MapOrdersEndpoints();
app.Run();

/// <summary>The entry point, visible to the endpoint tests' WebApplicationFactory.</summary>
public partial class Program;
