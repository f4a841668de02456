using Microsoft.Extensions.Logging.Abstractions;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Common.Storage.Embedded;
using Ticketing.Common.Testing.Processes;
using Ticketing.Tickets.Data;
using Ticketing.Tickets.Domain;
using Ticketing.Tickets.Events;

namespace Ticketing.Tickets.Tests.Events;

/// <summary>
/// The three order-event handlers' decisions, called directly against a real embedded store: what changes,
/// what is acknowledged unchanged, what is retried later and what is parked. Redeliveries and events that
/// arrive out of order (they travel on different subjects) never change a ticket twice or wrongly.
/// </summary>
public sealed class OrderEventHandlerTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private readonly TempDirectory _folder = new("tickets-handlers");
    private readonly EmbeddedDocumentDatabase _database;
    private ITicketStore _store;

    public OrderEventHandlerTests()
    {
        _database = new EmbeddedDocumentDatabase(Path.Combine(_folder.Path, "tickets.db"));
        _store = new TicketStore(_database.GetCollection<Ticket>("tickets"));
    }

    public void Dispose()
    {
        _database.Dispose();
        _folder.Dispose();
    }

    private static EventContext Delivery(int deliveries = 1) => new("subject", "id", 1, deliveries, Now);

    private Task<HandlerOutcome> OrderCreated(string orderId, string ticketId, int deliveries = 1, DateTimeOffset? expiresAt = null) =>
        new OrderCreatedHandler(_store, TimeProvider.System, NullLogger<OrderCreatedHandler>.Instance).HandleAsync(
            new OrderCreatedV1(orderId, 0, OrderStatus.Created, DocumentIds.New(), expiresAt ?? Now.AddMinutes(15), new OrderTicketV1(ticketId, 10m)),
            Delivery(deliveries), CancellationToken.None);

    private Task<HandlerOutcome> OrderCancelled(string orderId, string ticketId) =>
        new OrderCancelledHandler(_store, TimeProvider.System, NullLogger<OrderCancelledHandler>.Instance).HandleAsync(
            new OrderCancelledV1(orderId, 1, new OrderTicketRefV1(ticketId)), Delivery(), CancellationToken.None);

    private Task<HandlerOutcome> OrderCompleted(string orderId, string ticketId, int deliveries = 1) =>
        new OrderCompletedHandler(_store, TimeProvider.System).HandleAsync(
            new OrderCompletedV1(orderId, 2, new OrderTicketRefV1(ticketId)), Delivery(deliveries), CancellationToken.None);

    private async Task<Ticket> NewTicketAsync()
    {
        // Stored as the outbox would leave it once published, so every event in the outbox below is the handler's.
        var ticket = Ticket.Create("Concert", 10m, DocumentIds.New(), Now) with { Outbox = [] };
        Assert.Equal(WriteResult.Ok, await _store.AddAsync(ticket));
        return ticket;
    }

    private async Task<Ticket> TicketAsync(string id) => (await _store.GetAsync(id))!;

    private static TicketUpdatedV1 LastEvent(Ticket ticket) =>
        EventJson.Deserialize<TicketUpdatedV1>(System.Text.Encoding.UTF8.GetBytes(ticket.Outbox[^1].Payload));

    // ---- OrderCreated ----

    [Fact]
    public async Task OrderCreated_AvailableTicket_ReservesIt_WithTicketUpdatedInTheSameWrite()
    {
        var ticket = await NewTicketAsync();
        var orderId = DocumentIds.New();

        Assert.Equal(HandlerOutcome.Ack, await OrderCreated(orderId, ticket.Id));

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((TicketStatus.Reserved, orderId, 1L), (stored.Status, stored.OrderId, stored.Version));
        Assert.Equal(new TicketUpdatedV1(ticket.Id, 1, "Concert", 10m, ticket.UserId, orderId, TicketStatus.Reserved), LastEvent(stored));
    }

    [Fact]
    public async Task OrderCreated_DeliveredTwice_ChangesTheTicketOnce()
    {
        var ticket = await NewTicketAsync();
        var orderId = DocumentIds.New();
        await OrderCreated(orderId, ticket.Id);

        Assert.Equal(HandlerOutcome.Ack, await OrderCreated(orderId, ticket.Id, deliveries: 2));

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((1L, orderId), (stored.Version, stored.OrderId));
        Assert.Single(stored.Outbox);
    }

    [Fact]
    public async Task OrderCreated_RedeliveredAfterTheTicketWasSoldToIt_ChangesNothing()
    {
        var ticket = await NewTicketAsync();
        var orderId = DocumentIds.New();
        await OrderCreated(orderId, ticket.Id);
        await OrderCompleted(orderId, ticket.Id);

        Assert.Equal(HandlerOutcome.Ack, await OrderCreated(orderId, ticket.Id, deliveries: 2));

        Assert.Equal((TicketStatus.Sold, 2L), ((await TicketAsync(ticket.Id)).Status, (await TicketAsync(ticket.Id)).Version));
    }

    [Fact]
    public async Task OrderCreated_UnknownTicket_IsParked()
    {
        var outcome = await OrderCreated(DocumentIds.New(), DocumentIds.New());

        Assert.Equal(HandlerDecision.Park, outcome.Decision);
        Assert.Contains("does not exist", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrderCreated_TicketReservedByAnotherOrder_IsRetriedWithTheConsumersBackoff_AndChangesNothing()
    {
        var ticket = await NewTicketAsync();
        var holder = DocumentIds.New();
        await OrderCreated(holder, ticket.Id);

        var outcome = await OrderCreated(DocumentIds.New(), ticket.Id, deliveries: 3);

        Assert.Equal(HandlerDecision.Retry, outcome.Decision);
        Assert.Null(outcome.Delay); // the consumer's backoff for the delivery count applies (HandlerOutcome.Retry)
        Assert.Equal((holder, 1L), ((await TicketAsync(ticket.Id)).OrderId, (await TicketAsync(ticket.Id)).Version));
    }

    [Fact]
    public async Task OrderCreated_TicketSoldToAnotherOrder_IsParked_AndChangesNothing()
    {
        var ticket = await NewTicketAsync();
        var buyer = DocumentIds.New();
        await OrderCreated(buyer, ticket.Id);
        await OrderCompleted(buyer, ticket.Id);

        var outcome = await OrderCreated(DocumentIds.New(), ticket.Id);

        Assert.Equal(HandlerDecision.Park, outcome.Decision);
        Assert.Contains("is sold to order", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal((buyer, TicketStatus.Sold, 2L), ((await TicketAsync(ticket.Id)).OrderId, (await TicketAsync(ticket.Id)).Status, (await TicketAsync(ticket.Id)).Version));
    }

    [Fact]
    public async Task OrderCreated_RetriedAfterTheHolderWasCancelled_Reserves()
    {
        var ticket = await NewTicketAsync();
        var (first, second) = (DocumentIds.New(), DocumentIds.New());
        await OrderCreated(first, ticket.Id);
        Assert.Equal(HandlerDecision.Retry, (await OrderCreated(second, ticket.Id)).Decision);

        await OrderCancelled(first, ticket.Id);
        Assert.Equal(HandlerOutcome.Ack, await OrderCreated(second, ticket.Id, deliveries: 2));

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((TicketStatus.Reserved, second, 3L), (stored.Status, stored.OrderId, stored.Version));
    }

    [Fact]
    public async Task OrderCreated_ArrivingAfterItsOrderWasCancelled_DoesNotReserve()
    {
        var ticket = await NewTicketAsync();
        var orderId = DocumentIds.New();
        Assert.Equal(HandlerOutcome.Ack, await OrderCancelled(orderId, ticket.Id)); // cancellation handled first

        Assert.Equal(HandlerOutcome.Ack, await OrderCreated(orderId, ticket.Id));

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((TicketStatus.Available, (string?)null, 0L), (stored.Status, stored.OrderId, stored.Version));
        Assert.Empty(stored.Outbox);
    }

    [Fact]
    public async Task OrderCreated_RedeliveredAfterItsOrderReleasedTheTicket_DoesNotReserveAgain()
    {
        var ticket = await NewTicketAsync();
        var orderId = DocumentIds.New();
        await OrderCreated(orderId, ticket.Id);
        await OrderCancelled(orderId, ticket.Id);

        Assert.Equal(HandlerOutcome.Ack, await OrderCreated(orderId, ticket.Id, deliveries: 2));

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((TicketStatus.Available, 2L), (stored.Status, stored.Version));
    }

    [Fact]
    public async Task OrderCreated_LosingACompareAndSetRace_IsRetried_AndTheWinnerStands()
    {
        var ticket = await NewTicketAsync();
        var winner = DocumentIds.New();
        _store = new RacingStore(_store, t => t.Reserve(winner, Now));

        var outcome = await OrderCreated(DocumentIds.New(), ticket.Id);

        Assert.Equal(HandlerDecision.Retry, outcome.Decision);
        Assert.Equal((winner, 1L), ((await TicketAsync(ticket.Id)).OrderId, (await TicketAsync(ticket.Id)).Version));
    }

    // ---- OrderCancelled ----

    [Fact]
    public async Task OrderCancelled_OfTheOrderHoldingTheTicket_ReleasesIt()
    {
        var ticket = await NewTicketAsync();
        var orderId = DocumentIds.New();
        await OrderCreated(orderId, ticket.Id);

        Assert.Equal(HandlerOutcome.Ack, await OrderCancelled(orderId, ticket.Id));

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((TicketStatus.Available, (string?)null, 2L), (stored.Status, stored.OrderId, stored.Version));
        Assert.Equal(new TicketUpdatedV1(ticket.Id, 2, "Concert", 10m, ticket.UserId, null, TicketStatus.Available), LastEvent(stored));
    }

    [Fact]
    public async Task OrderCancelled_OfAnotherOrder_LeavesTheReservationAlone()
    {
        var ticket = await NewTicketAsync();
        var holder = DocumentIds.New();
        await OrderCreated(holder, ticket.Id);

        Assert.Equal(HandlerOutcome.Ack, await OrderCancelled(DocumentIds.New(), ticket.Id));

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((TicketStatus.Reserved, holder, 1L), (stored.Status, stored.OrderId, stored.Version));
        Assert.Single(stored.Outbox); // only the reservation's event: nothing published for the stale cancellation
    }

    [Fact]
    public async Task OrderCancelled_DeliveredTwice_ReleasesOnce()
    {
        var ticket = await NewTicketAsync();
        var orderId = DocumentIds.New();
        await OrderCreated(orderId, ticket.Id);
        await OrderCancelled(orderId, ticket.Id);

        Assert.Equal(HandlerOutcome.Ack, await OrderCancelled(orderId, ticket.Id));

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((TicketStatus.Available, 2L, 2), (stored.Status, stored.Version, stored.Outbox.Length));
    }

    [Fact]
    public async Task OrderCancelled_OfTheOrderThatBoughtTheTicket_NeverReleasesIt()
    {
        var ticket = await NewTicketAsync();
        var orderId = DocumentIds.New();
        await OrderCreated(orderId, ticket.Id);
        await OrderCompleted(orderId, ticket.Id);

        Assert.Equal(HandlerOutcome.Ack, await OrderCancelled(orderId, ticket.Id));

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((TicketStatus.Sold, orderId, 2L), (stored.Status, stored.OrderId, stored.Version));
    }

    [Fact]
    public async Task OrderCancelled_UnknownTicket_IsParked()
    {
        Assert.Equal(HandlerDecision.Park, (await OrderCancelled(DocumentIds.New(), DocumentIds.New())).Decision);
    }

    [Fact]
    public async Task OrderCancelled_RememberingAnOrder_IsNeverLostToAWriterThatReadBeforeIt()
    {
        var ticket = await NewTicketAsync();
        var cancelled = DocumentIds.New();
        var staleRead = await TicketAsync(ticket.Id);
        await OrderCancelled(cancelled, ticket.Id);

        // A writer holding the ticket as read before the cancellation was remembered (same version) loses.
        Assert.Equal(WriteResult.Conflict, await _store.ReplaceAsync(staleRead, staleRead.Reserve(cancelled, Now)));
        Assert.True((await TicketAsync(ticket.Id)).WasCancelled(cancelled));
    }

    // ---- OrderCompleted ----

    [Fact]
    public async Task OrderCompleted_OfTheReservingOrder_MarksTheTicketSold_KeepingTheOrder()
    {
        var ticket = await NewTicketAsync();
        var orderId = DocumentIds.New();
        await OrderCreated(orderId, ticket.Id);

        Assert.Equal(HandlerOutcome.Ack, await OrderCompleted(orderId, ticket.Id));

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((TicketStatus.Sold, orderId, 2L), (stored.Status, stored.OrderId, stored.Version));
        Assert.Equal(new TicketUpdatedV1(ticket.Id, 2, "Concert", 10m, ticket.UserId, orderId, TicketStatus.Sold), LastEvent(stored));
    }

    [Fact]
    public async Task OrderCompleted_DeliveredTwice_ChangesTheTicketOnce()
    {
        var ticket = await NewTicketAsync();
        var orderId = DocumentIds.New();
        await OrderCreated(orderId, ticket.Id);
        await OrderCompleted(orderId, ticket.Id);

        Assert.Equal(HandlerOutcome.Ack, await OrderCompleted(orderId, ticket.Id, deliveries: 2));

        Assert.Equal(2L, (await TicketAsync(ticket.Id)).Version);
    }

    [Fact]
    public async Task OrderCompleted_BeforeItsReservation_SellsTheTicket_AndTheLateOrderCreatedChangesNothing()
    {
        var ticket = await NewTicketAsync();
        var orderId = DocumentIds.New();

        Assert.Equal(HandlerOutcome.Ack, await OrderCompleted(orderId, ticket.Id));
        Assert.Equal(HandlerOutcome.Ack, await OrderCreated(orderId, ticket.Id));

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((TicketStatus.Sold, orderId, 2L), (stored.Status, stored.OrderId, stored.Version));
    }

    [Fact]
    public async Task OrderCompleted_WhileAnotherOrderHoldsTheTicket_IsRetriedWithADelay()
    {
        var ticket = await NewTicketAsync();
        await OrderCreated(DocumentIds.New(), ticket.Id);

        var outcome = await OrderCompleted(DocumentIds.New(), ticket.Id, deliveries: 2);

        Assert.Equal(HandlerDecision.Retry, outcome.Decision);
        Assert.Null(outcome.Delay); // the consumer's backoff for the delivery count applies
        Assert.Equal(1L, (await TicketAsync(ticket.Id)).Version);
    }

    [Fact]
    public async Task OrderCreated_OfAnOrderPastItsExpiry_NeverReserves()
    {
        var ticket = await NewTicketAsync();

        Assert.Equal(HandlerOutcome.Ack, await OrderCreated(DocumentIds.New(), ticket.Id, expiresAt: Now.AddMinutes(-1)));

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((TicketStatus.Available, (string?)null, 0L), (stored.Status, stored.OrderId, stored.Version));
    }

    [Fact]
    public async Task Replay_OfATicketWith150PastOrders_CancellationsHandledFirst_ReservesNothingForACancelledOrder()
    {
        // A consumer replaying history: every order was created and cancelled long ago; the OrderCancelled consumer
        // is ahead and has handled all 150 cancellations before the OrderCreated consumer handles any creation.
        var ticket = await NewTicketAsync();
        var orders = Enumerable.Range(0, 150).Select(i => (Id: DocumentIds.New(), ExpiresAt: Now.AddDays(-3).AddMinutes(i * 20 + 15))).ToList();
        foreach (var order in orders)
        {
            Assert.Equal(HandlerOutcome.Ack, await OrderCancelled(order.Id, ticket.Id));
        }

        foreach (var order in orders)
        {
            Assert.Equal(HandlerOutcome.Ack, await OrderCreated(order.Id, ticket.Id, expiresAt: order.ExpiresAt));
        }

        var stored = await TicketAsync(ticket.Id);
        Assert.Equal((TicketStatus.Available, (string?)null, 0L), (stored.Status, stored.OrderId, stored.Version));

        // And a live order still reserves it.
        var live = DocumentIds.New();
        Assert.Equal(HandlerOutcome.Ack, await OrderCreated(live, ticket.Id));
        Assert.True((await TicketAsync(ticket.Id)).IsReservedBy(live));
    }

    [Fact]
    public async Task Replay_OfRecentOrders_CancellationsHandledFirst_ReservesNothingForACancelledOrder()
    {
        // Orders still inside their payment window: the remembered cancellations (not the expiry) keep them out.
        var ticket = await NewTicketAsync();
        var orders = Enumerable.Range(0, 150).Select(_ => DocumentIds.New()).ToList();
        foreach (var order in orders)
        {
            Assert.Equal(HandlerOutcome.Ack, await OrderCancelled(order, ticket.Id));
        }

        foreach (var order in orders)
        {
            Assert.Equal(HandlerOutcome.Ack, await OrderCreated(order, ticket.Id));
        }

        Assert.Equal(TicketStatus.Available, (await TicketAsync(ticket.Id)).Status);
    }

    [Fact]
    public async Task OrderCompleted_OfAnOrderKnownAsCancelled_IsParked()
    {
        var ticket = await NewTicketAsync();
        var orderId = DocumentIds.New();
        await OrderCreated(orderId, ticket.Id);
        await OrderCancelled(orderId, ticket.Id);

        Assert.Equal(HandlerDecision.Park, (await OrderCompleted(orderId, ticket.Id)).Decision);
        Assert.Equal(TicketStatus.Available, (await TicketAsync(ticket.Id)).Status);
    }

    [Fact]
    public async Task OrderCompleted_OfAnotherOrderThanTheBuyer_IsParked()
    {
        var ticket = await NewTicketAsync();
        var buyer = DocumentIds.New();
        await OrderCreated(buyer, ticket.Id);
        await OrderCompleted(buyer, ticket.Id);

        Assert.Equal(HandlerDecision.Park, (await OrderCompleted(DocumentIds.New(), ticket.Id)).Decision);
        Assert.Equal(buyer, (await TicketAsync(ticket.Id)).OrderId);
    }

    [Fact]
    public async Task OrderCompleted_UnknownTicket_IsParked()
    {
        Assert.Equal(HandlerDecision.Park, (await OrderCompleted(DocumentIds.New(), DocumentIds.New())).Decision);
    }

    /// <summary>Lets another writer change the ticket just before the handler's write, once.</summary>
    private sealed class RacingStore(ITicketStore inner, Func<Ticket, Ticket> otherWriter) : ITicketStore
    {
        private Func<Ticket, Ticket>? _pending = otherWriter;

        public Task<Ticket?> GetAsync(string id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

        public Task<IReadOnlyList<Ticket>> ListAvailableAsync(int limit, int offset, string? after = null, CancellationToken cancellationToken = default) =>
            inner.ListAvailableAsync(limit, offset, after, cancellationToken);

        public Task<WriteResult> AddAsync(Ticket ticket, CancellationToken cancellationToken = default) => inner.AddAsync(ticket, cancellationToken);

        public async Task<WriteResult> ReplaceAsync(Ticket current, Ticket next, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _pending, null) is { } change)
            {
                Assert.Equal(WriteResult.Ok, await inner.ReplaceAsync(current, change(current), cancellationToken));
            }

            return await inner.ReplaceAsync(current, next, cancellationToken);
        }
    }
}
