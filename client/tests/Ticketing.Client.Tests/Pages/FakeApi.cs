using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ticketing.Common.Testing.Processes;

namespace Ticketing.Client.Tests.Pages;

/// <summary>
/// A stand-in for the ingress on a free port: each test says what an API route answers, and every request the client
/// made is kept (method, path, headers, body) so the test can check what was forwarded.
/// </summary>
public sealed class FakeApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new(StringComparer.Ordinal);

    private FakeApi(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task<FakeApi> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var api = new FakeApi(app, new Uri($"http://127.0.0.1:{port}"));
        app.Run(api.HandleAsync);
        await app.StartAsync();
        return api;
    }

    /// <summary>What <paramref name="method"/> <paramref name="path"/> answers (path without the query string).</summary>
    public FakeApi On(string method, string path, int status, string? json = null, params (string Name, string Value)[] headers)
    {
        _routes[$"{method} {path}"] = async context =>
        {
            context.Response.StatusCode = status;
            foreach (var (name, value) in headers)
            {
                context.Response.Headers.Append(name, value);
            }

            if (json is not null)
            {
                context.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
                await context.Response.WriteAsync(json);
            }
        };
        return this;
    }

    public static string Problem(int status, params (string Message, string? Field)[] errors) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            type = "about:blank",
            title = "Error",
            status,
            errors = errors.Select(e => e.Field is null ? (object)new { message = e.Message } : new { message = e.Message, field = e.Field }),
        });

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        Requests.Enqueue(new RecordedRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body));
        if (_routes.TryGetValue($"{context.Request.Method} {context.Request.Path}", out var handler))
        {
            await handler(context);
            return;
        }

        context.Response.StatusCode = 404;
        context.Response.ContentType = "application/problem+json";
        await context.Response.WriteAsync(Problem(404, ("Not Found", null)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);
