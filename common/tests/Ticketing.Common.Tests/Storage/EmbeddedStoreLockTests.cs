using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ticketing.Common.Storage;
using Ticketing.Common.Storage.Embedded;
using Ticketing.Common.Testing.Processes;
using Ticketing.Common.Tests.Messaging;

namespace Ticketing.Common.Tests.Storage;

/// <summary>
/// One embedded store, one process: a second service instance on the same data folder stops at start with a
/// message naming the folder, and the first keeps working. (The lock is an exclusive flock on the lock file,
/// held per open file, so two hosts in one test process meet it exactly as two processes do.)
/// </summary>
public sealed class EmbeddedStoreLockTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private IHost Build()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["DATA_DIR"] = _data.Path });
        builder.AddDocumentStorage("locked");
        builder.Services.AddDocumentCollection<AppliedTicket>("applied");
        return builder.Build();
    }

    [Fact]
    public async Task SecondHostOnTheSameDataFolder_RefusesToStart_AndTheFirstKeepsWorking()
    {
        using var first = Build();
        await first.StartAsync();
        var applied = first.Services.GetRequiredService<IDocumentCollection<AppliedTicket>>();
        Assert.Equal(WriteResult.Ok, await applied.InsertAsync(new AppliedTicket { Id = "before", Deliveries = 1 }));

        using var second = Build();
        var refused = await Assert.ThrowsAsync<StoreLockedException>(() => second.StartAsync());

        Assert.Contains(_data.Path, refused.Message, StringComparison.Ordinal);
        Assert.Contains("DATA_DIR", refused.Message, StringComparison.Ordinal);
        Assert.Equal(WriteResult.Ok, await applied.InsertAsync(new AppliedTicket { Id = "after", Deliveries = 1 }));
        Assert.NotNull(await applied.GetAsync("before"));
        Assert.NotNull(await applied.GetAsync("after"));
        await first.StopAsync();
    }

    [Fact]
    public async Task Store_ReleasedByItsOwner_OpensAgain()
    {
        using (var first = Build())
        {
            await first.StartAsync();
            await first.StopAsync();
        }

        using var second = Build();
        await second.StartAsync(); // a restarted service takes its store back
        Assert.NotNull(second.Services.GetRequiredService<IDocumentDatabase>());
        await second.StopAsync();
    }

    [Fact]
    public void SecondDatabaseOnTheSameFile_IsRefused_UntilTheFirstIsDisposed()
    {
        var file = Path.Combine(_data.Path, "direct.db");
        var first = new EmbeddedDocumentDatabase(file);
        Assert.Throws<StoreLockedException>(() => new EmbeddedDocumentDatabase(file));
        first.Dispose();
        using var again = new EmbeddedDocumentDatabase(file);
    }
}
