using Ticketing.Common.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("orders");

var app = builder.Build();
app.UseServiceDefaults();
app.Run();

/// <summary>The entry point, visible to the endpoint tests' WebApplicationFactory.</summary>
public partial class Program;
