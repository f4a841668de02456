using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Testing.Web;
using Ticketing.Tickets.Data;
using Ticketing.Tickets.Domain;

namespace Ticketing.Tickets.Tests.Infrastructure;

/// <summary>
/// The tickets service hosted in memory against a real nats-server, with an embedded store of its own and
/// messaging tuned for tests (fast retries, a quick outbox sweep). <see cref="ConfigureServices"/> lets a test
/// swap a service before the first client.
/// </summary>
public sealed class TicketsApp : ServiceFactory<Program>
{
    public TicketsApp(NatsServer nats)
    {
        Settings["NATS_URL"] = nats.Url;
        Settings["NATS_MAX_DELIVER"] = "8"; // retries 50 ms, 100 ms, ... 3.2 s: several seconds for a late event to arrive
        Settings["Logging:LogLevel:Default"] = "Warning";
        Settings["NATS_RETRY_DELAY_MS"] = "50";
        Settings["OUTBOX_SWEEP_INTERVAL_MS"] = "100";
        Settings["OUTBOX_GRACE_MS"] = "0";
    }

    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public ITicketStore Store => Services.GetRequiredService<ITicketStore>();

    /// <summary>The raw collection, for assertions about what is stored (how many, the outbox).</summary>
    public IDocumentCollection<Ticket> Collection => Services.GetRequiredService<IDocumentCollection<Ticket>>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (ConfigureServices is not null)
        {
            builder.ConfigureTestServices(ConfigureServices);
        }
    }

    /// <summary>Changes a stored ticket the way an event handler would (compare-and-set), for arranging a test.</summary>
    public async Task<Ticket> ChangeAsync(string id, Func<Ticket, Ticket> change)
    {
        var current = await Store.GetAsync(id) ?? throw new InvalidOperationException($"No ticket {id}");
        var next = change(current);
        var result = await Store.ReplaceAsync(current, next);
        return result == WriteResult.Ok ? next : throw new InvalidOperationException($"Arranging ticket {id} failed: {result}");
    }
}

/// <summary>One nats-server and one service for a test class whose tests each make their own data.</summary>
public sealed class TicketsAppFixture : IAsyncLifetime
{
    public NatsServer Nats { get; private set; } = null!;
    public TicketsApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Nats = await NatsServer.StartNewAsync();
        App = new TicketsApp(Nats);
        _ = App.Server; // start it now, not inside the first test's timing
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Nats.DisposeAsync();
    }
}
