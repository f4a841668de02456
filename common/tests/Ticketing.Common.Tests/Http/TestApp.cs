using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ticketing.Common.Auth;
using Ticketing.Common.Hosting;
using Ticketing.Common.Http;
using Ticketing.Common.Storage;

namespace Ticketing.Common.Tests.Http;

public sealed record CreateWidgetRequest(string? Name, decimal? Price);

public sealed class CreateWidgetRequestValidator : AbstractValidator<CreateWidgetRequest>
{
    public CreateWidgetRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().WithMessage("Name is required");
        RuleFor(r => r.Price).NotNull().GreaterThan(0).WithMessage("Price must be greater than 0");
    }
}

/// <summary>A tiny service built with the common defaults, hosted in memory, to test what every service inherits.</summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestApp(WebApplication app) => _app = app;

    public string JwtKey { get; private init; } = null!;
    public HttpClient Client { get; private init; } = null!;
    public IServiceProvider Services => _app.Services;

    public static async Task<TestApp> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var jwtKey = Testing.Web.TestUsers.NewJwtKey();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["JWT_KEY"] = jwtKey });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddServiceDefaults("test");
        builder.AddSessionAuthentication();
        builder.Services.AddRequestValidators<CreateWidgetRequestValidator>();

        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapPost("/widgets", (CreateWidgetRequest request) => TypedResults.Created("/widgets/1", request))
            .WithValidation<CreateWidgetRequest>();
        app.MapGet("/widgets", (int? limit) => TypedResults.Ok(new { limit }));
        app.MapGet("/widgets/{id}", (string id) => DocumentIds.IsValid(id) ? Results.Ok(new { id }) : throw new NotFoundException());
        app.MapPut("/widgets/{id}", IResult (string id) => throw new ForbiddenException()).RequireAuthorization();
        app.MapGet("/secret", () => "ok").RequireAuthorization();
        app.MapGet("/me", (ICurrentUser current) => TypedResults.Ok(new { currentUser = current.User }));
        app.MapGet("/boom", string () => throw new InvalidOperationException("connection string mongodb://admin:hunter2@db"));
        app.MapGet("/db-down", string () => throw new TimeoutException("A timeout occurred after 5000ms selecting a server") { Source = "MongoDB.Driver" });
        app.MapGet("/rule", string () => throw new BadRequestException("Ticket is already reserved"));
        await app.StartAsync();
        return new TestApp(app) { JwtKey = jwtKey, Client = app.GetTestClient() };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
