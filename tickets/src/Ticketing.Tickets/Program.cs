using Ticketing.Common.Hosting;
using Ticketing.Tickets.Endpoints;
using Ticketing.Tickets.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(TicketsServices.ServiceName); // errors, JSON, health, OpenTelemetry, OpenAPI, body limit, shutdown window
builder.AddTicketsServices();                            // auth, storage + outbox, messaging, event handlers, validators

var app = builder.Build();
app.UseServiceDefaults();                                // forwarded headers, error contract, auth, /health/*, /openapi/v1.json
app.MapTicketsEndpoints();
app.Run();

/// <summary>The entry point, visible to the endpoint tests' WebApplicationFactory.</summary>
public partial class Program;
