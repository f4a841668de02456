using Ticketing.Client.Components;
using Ticketing.Client.Extensions;

// The web client (static server rendering): pages call the APIs through the ingress on the visitor's behalf.
var builder = WebApplication.CreateBuilder(args);
builder.AddClientServices();

var app = builder.Build();
app.UseForwardedHeaders();
app.UseClientPipeline();
app.MapRazorComponents<App>();
app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
