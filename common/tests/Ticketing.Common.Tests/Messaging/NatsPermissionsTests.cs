using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using Ticketing.Common.Auth;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Processes;
using Xunit;

namespace Ticketing.Common.Tests.Messaging;

/// <summary>
/// The permission file (infra/nats/auth.conf) as nats-server enforces it, provisioned as the deployments are: what a
/// service's identity can and cannot do. A refused publish or API call never fails fast (it times out): each refusal
/// is asserted by the server's PermissionsViolation on the connection and by its effect (the stream does not hold
/// the forged event, the stream and consumers are unchanged).
/// </summary>
public sealed class NatsPermissionsTests : IClassFixture<NatsServerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(1);
    private readonly NatsServer _nats;
    private readonly List<NatsConnection> _connections = [];
    private NatsConnection _admin = null!;

    public NatsPermissionsTests(NatsServerFixture fixture) => _nats = fixture.Server;

    public Task InitializeAsync()
    {
        _admin = _nats.Connect("admin");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        await _admin.DisposeAsync();
    }

    private NatsJSContext Admin => new(_admin);

    /// <summary>A connection as <paramref name="user"/> (short request timeout: a refused call only times out) and the errors the server sent it.</summary>
    private (NatsConnection Connection, ConcurrentQueue<string> Errors) As(string user)
    {
        var connection = new NatsConnection(_nats.SettingsFor(user).Opts($"test-{user}", NullLoggerFactory.Instance) with { RequestTimeout = Refused });
        var errors = new ConcurrentQueue<string>();
        connection.ServerError += (_, e) =>
        {
            errors.Enqueue(e.Error);
            return ValueTask.CompletedTask;
        };
        _connections.Add(connection);
        return (connection, errors);
    }

    private static Task ViolationAsync(ConcurrentQueue<string> errors, string subject) =>
        Eventually.TrueAsync(
            () => errors.Any(e => e.Contains("Permissions Violation", StringComparison.OrdinalIgnoreCase) && e.Contains(subject, StringComparison.Ordinal)),
            $"the server to report a permissions violation on {subject}");

    private async Task<ulong> MessagesOnAsync(string subject)
    {
        var info = await Admin.GetStreamAsync("TICKETING", new StreamInfoRequest { SubjectsFilter = subject });
        return info.Info.State.Subjects is { } subjects && subjects.TryGetValue(subject, out var count) ? (ulong)count : 0;
    }

    [Fact]
    public async Task Tickets_PublishingPaymentCreated_IsRefused_AndTheStreamNeverHoldsIt()
    {
        var (tickets, errors) = As("tickets");
        var forged = new PaymentCreatedV1(DocumentIds.New(), DocumentIds.New(), "ch_forged");

        await Assert.ThrowsAnyAsync<NatsException>(async () =>
            await new NatsJSContext(tickets).PublishAsync(PaymentCreatedV1.Subject, EventJson.Serialize(forged), NatsRawSerializer<byte[]>.Default));

        await ViolationAsync(errors, PaymentCreatedV1.Subject);
        // A plain (core) publish is not refused to the sender at all: the stream must still not get it.
        await tickets.PublishAsync(PaymentCreatedV1.Subject, EventJson.Serialize(forged));
        await tickets.PingAsync();
        Assert.Equal(0UL, await MessagesOnAsync(PaymentCreatedV1.Subject));
    }

    [Fact]
    public async Task Tickets_PublishingItsOwnEvent_IsStored()
    {
        var (tickets, _) = As("tickets");
        var ticket = new TicketCreatedV1(DocumentIds.New(), 0, "Allowed", 10m, DocumentIds.New());

        var ack = await new NatsJSContext(tickets).PublishAsync(TicketCreatedV1.Subject, EventJson.Serialize(ticket), NatsRawSerializer<byte[]>.Default);

        ack.EnsureSuccess();
        Assert.Equal("TICKETING", ack.Stream);
    }

    [Fact]
    public async Task Tickets_DeletingOrChangingTheStream_IsRefused_AndTheStreamStays()
    {
        var (tickets, errors) = As("tickets");
        var jetStream = new NatsJSContext(tickets);
        var before = (await Admin.GetStreamAsync("TICKETING")).Info.Config;

        await Assert.ThrowsAnyAsync<NatsException>(async () => await jetStream.DeleteStreamAsync("TICKETING"));
        await Assert.ThrowsAnyAsync<NatsException>(async () => await jetStream.UpdateStreamAsync(before with { MaxAge = TimeSpan.FromSeconds(1) }));
        await Assert.ThrowsAnyAsync<NatsException>(async () => await jetStream.PurgeStreamAsync("TICKETING", new StreamPurgeRequest()));

        await ViolationAsync(errors, "$JS.API.STREAM.DELETE.TICKETING");
        await ViolationAsync(errors, "$JS.API.STREAM.UPDATE.TICKETING");
        await ViolationAsync(errors, "$JS.API.STREAM.PURGE.TICKETING");
        var after = (await Admin.GetStreamAsync("TICKETING")).Info.Config;
        Assert.Equal(before.MaxAge, after.MaxAge);
        Assert.Equal(before.Subjects, after.Subjects);
    }

    [Fact]
    public async Task Tickets_CreatingAConsumer_EvenItsOwnDurable_IsRefused()
    {
        var (tickets, errors) = As("tickets");
        var jetStream = new NatsJSContext(tickets);
        // The attack: a push consumer delivering every payment event to a subject of the attacker's choice.
        var push = new ConsumerConfig("tickets-sneaky") { FilterSubject = PaymentCreatedV1.Subject, DeliverSubject = "ticketing.ticket.stolen" };

        await Assert.ThrowsAnyAsync<NatsException>(async () => await jetStream.CreateOrUpdateConsumerAsync("TICKETING", push));
        var own = ConsumerCatalogue.Config(new MessagingOptions { ServiceName = "tickets", Url = _nats.Url }, "tickets", OrderCreatedV1.Subject);
        await Assert.ThrowsAnyAsync<NatsException>(async () => await jetStream.CreateOrUpdateConsumerAsync("TICKETING", own with { AckWait = TimeSpan.FromSeconds(1) }));

        await ViolationAsync(errors, "$JS.API.CONSUMER.CREATE.TICKETING.tickets-sneaky");
        await Assert.ThrowsAsync<NatsJSApiException>(async () => await Admin.GetConsumerAsync("TICKETING", "tickets-sneaky"));
        Assert.Equal(new MessagingOptions { ServiceName = "x", Url = "x" }.AckWait, (await Admin.GetConsumerAsync("TICKETING", own.Name!)).Info.Config.AckWait);
    }

    [Fact]
    public async Task EveryService_CanLookUpAndPullItsOwnDurables_ButNotAnotherServicesDurable()
    {
        foreach (var service in ConsumerCatalogue.PublishedSubjects.Keys)
        {
            var (connection, errors) = As(service);
            var jetStream = new NatsJSContext(connection);
            foreach (var consumer in ConsumerCatalogue.Of(service))
            {
                var found = await jetStream.GetConsumerAsync("TICKETING", consumer.Durable);
                await foreach (var _ in found.FetchNoWaitAsync(new NatsJSFetchOpts { MaxMsgs = 1 }, NatsRawSerializer<byte[]>.Default))
                {
                    // Leave whatever it gets unacknowledged: the point is that the pull is allowed.
                }
            }

            var foreign = ConsumerCatalogue.All.First(c => c.Service != service);
            await Assert.ThrowsAnyAsync<NatsException>(async () => await jetStream.GetConsumerAsync("TICKETING", foreign.Durable));
            await ViolationAsync(errors, $"$JS.API.CONSUMER.INFO.TICKETING.{foreign.Durable}");
        }
    }

    [Fact]
    public async Task AService_CannotListenOnAnotherServicesInbox_NorTheSharedOne()
    {
        var (orders, errors) = As("orders");

        await using var theirs = await orders.SubscribeCoreAsync<byte[]>("_INBOX_tickets.>");
        await using var shared = await orders.SubscribeCoreAsync<byte[]>("_INBOX.>");

        await ViolationAsync(errors, "_INBOX_tickets.>");
        await ViolationAsync(errors, "_INBOX.>");
    }

    [Fact]
    public async Task RevokedSessions_OnlyAuthCanPut_EveryServiceCanReadAndWatch()
    {
        var (auth, _) = As("auth");
        var (tickets, errors) = As("tickets");
        var authBucket = await new NatsKVContext(new NatsJSContext(auth)).GetStoreAsync(SessionRevocationOptions.Bucket);
        var ticketsBucket = await new NatsKVContext(new NatsJSContext(tickets)).GetStoreAsync(SessionRevocationOptions.Bucket);
        var forged = $"forged-{Guid.NewGuid():N}";
        var real = $"real-{Guid.NewGuid():N}";

        await Assert.ThrowsAnyAsync<NatsException>(async () => await ticketsBucket.PutAsync(forged, "1"));
        await ViolationAsync(errors, $"$KV.revoked-sessions.{forged}");
        await authBucket.PutAsync(real, "2");

        Assert.Equal("2", (await ticketsBucket.GetEntryAsync<string>(real)).Value);
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        await foreach (var entry in ticketsBucket.WatchAsync<string>(">", opts: new NatsKVWatchOpts(), cancellationToken: watching.Token))
        {
            seen.Add(entry.Key);
            if (entry.Delta == 0)
            {
                break;
            }
        }

        Assert.Contains(real, seen);
        Assert.DoesNotContain(forged, seen);
    }

    [Fact]
    public async Task Provisioning_IsIdempotent_AndCreatesEveryCatalogueConsumer()
    {
        await _nats.ProvisionAsync();

        foreach (var consumer in ConsumerCatalogue.All)
        {
            var info = (await Admin.GetConsumerAsync("TICKETING", consumer.Durable)).Info.Config;
            Assert.Equal(consumer.Subject, info.FilterSubject);
            Assert.Equal(ConsumerConfigAckPolicy.Explicit, info.AckPolicy);
            Assert.Null(info.DeliverSubject); // pull
        }
    }

    /// <summary>The permission file grants each service exactly its catalogue consumers (no forgotten handler, no stale grant).</summary>
    [Fact]
    public void PermissionFile_GrantsEachServiceExactlyItsCatalogueDurables_AndOnlyItsOwnSubjects()
    {
        var file = File.ReadAllText(NatsServer.PermissionFile);
        foreach (var (service, subjects) in ConsumerCatalogue.PublishedSubjects)
        {
            var block = UserBlock(file, service);
            var granted = Regex.Matches(block, @"""\$JS\.API\.CONSUMER\.MSG\.NEXT\.TICKETING\.([^""]+)""").Select(m => m.Groups[1].Value).Order().ToList();
            Assert.Equal(ConsumerCatalogue.Of(service).Select(c => c.Durable).Order(), granted);
            foreach (var durable in granted)
            {
                Assert.Contains($"\"$JS.API.CONSUMER.INFO.TICKETING.{durable}\"", block, StringComparison.Ordinal);
                Assert.Contains($"\"$JS.ACK.TICKETING.{durable}.>\"", block, StringComparison.Ordinal);
            }

            Assert.Contains($"\"{subjects}\"", block, StringComparison.Ordinal);
            Assert.Contains($"\"deadletter.{service}.>\"", block, StringComparison.Ordinal);
            Assert.Contains($"allow: [\"_INBOX_{service}.>\"]", block, StringComparison.Ordinal);
            Assert.DoesNotContain("CREATE.TICKETING", block, StringComparison.Ordinal);
            Assert.DoesNotContain("$KV.revoked-sessions", block.Replace("KV_revoked-sessions", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    private static string UserBlock(string file, string user)
    {
        var start = file.IndexOf($"user: {user}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"auth.conf has no user {user}");
        var end = file.IndexOf("user: ", start + 6, StringComparison.Ordinal);
        return end < 0 ? file[start..] : file[start..end];
    }
}
