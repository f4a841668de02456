using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ticketing.Gateway.Tests;

/// <summary>
/// A stand-in for a Ticketing service on a real loopback port: it answers every path with what it received (so a
/// test sees what the gateway forwarded) and <c>/health/ready</c> with the services' JSON.
/// </summary>
internal sealed class FakeService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeService(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<FakeService> StartAsync(string name, string readyStatus = "Healthy")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/health/ready", () => Results.Json(
            new { status = readyStatus, durationMs = 0.1, checks = new { storage = new { status = readyStatus } } },
            statusCode: readyStatus == "Unhealthy" ? 503 : 200));
        app.Map("/{**path}", (HttpContext context) => Results.Json(new
        {
            service = name,
            method = context.Request.Method,
            path = context.Request.Path.Value,
            query = context.Request.QueryString.Value,
            host = context.Request.Host.Value,
            forwardedFor = context.Request.Headers["X-Forwarded-For"].ToString(),
            forwardedProto = context.Request.Headers["X-Forwarded-Proto"].ToString(),
        }));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new FakeService(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A service that accepts connections and never answers (a hung process).</summary>
internal sealed class HungService : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _accepted = [];
    private readonly CancellationTokenSource _stop = new();

    public HungService()
    {
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _ = AcceptAsync();
    }

    public Uri Address { get; }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_accepted)
                {
                    _accepted.Add(client);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_accepted)
        {
            _accepted.ForEach(c => c.Dispose());
        }

        _stop.Dispose();
    }
}
