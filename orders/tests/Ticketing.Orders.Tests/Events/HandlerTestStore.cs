using Microsoft.Extensions.Time.Testing;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Outbox;
using Ticketing.Common.Storage;
using Ticketing.Common.Storage.Embedded;
using Ticketing.Common.Testing.Processes;
using Ticketing.Orders.Data;
using Ticketing.Orders.Domain;

namespace Ticketing.Orders.Tests.Events;

/// <summary>
/// A real embedded store (orders and the ticket replica) in a temp folder and a fake clock, for calling the event
/// handlers directly: each test sees exactly what a handler decided and wrote, without NATS in between.
/// </summary>
public sealed class HandlerTestStore : IDisposable
{
    private readonly TempDirectory _folder = new("orders-handlers");
    private readonly EmbeddedDocumentDatabase _database;

    public HandlerTestStore()
    {
        _database = new EmbeddedDocumentDatabase(Path.Combine(_folder.Path, "orders.db"));
        Orders = new OrderStore(_database.GetCollection<Order>(OrderStore.CollectionName));
        Tickets = new TicketReplicaStore(_database.GetCollection<TicketReplica>(TicketReplicaStore.CollectionName));
    }

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
    public IOrderStore Orders { get; }
    public ITicketReplicaStore Tickets { get; }

    public static EventContext Delivery(int deliveries = 1) => new("subject", "id", 1, deliveries, null);

    public async Task<TicketReplica> AddTicketAsync(long version = 0, string title = "Concert", decimal price = 20m)
    {
        var ticket = new TicketReplica { Id = DocumentIds.New(), Title = title, Price = price, Version = version };
        Assert.Equal(WriteResult.Ok, await Tickets.AddAsync(ticket));
        return ticket;
    }

    /// <summary>
    /// A pending order as placed now, stored as the outbox would leave it once published, so every event in its
    /// outbox afterwards is the handler's.
    /// </summary>
    public async Task<Order> AddOrderAsync()
    {
        var order = Order.Create(DocumentIds.New(), await AddTicketAsync(), Clock.GetUtcNow(), Window) with { Outbox = [] };
        Assert.Equal(WriteResult.Ok, await Orders.AddAsync(order));
        return order;
    }

    /// <summary>Stores <paramref name="change"/> of a stored order (as the API or another handler would have).</summary>
    public async Task<Order> ChangeAsync(Order order, Func<Order, Order> change)
    {
        var next = change(order) with { Outbox = [] };
        Assert.Equal(WriteResult.Ok, await Orders.ReplaceAsync(order, next));
        return next;
    }

    public async Task<Order> OrderAsync(string id) => await Orders.GetAsync(id) ?? throw new Xunit.Sdk.XunitException($"Order {id} is not stored.");

    /// <summary>What can change about an order, comparable by value (a record's arrays compare by reference).</summary>
    public static object State(Order order) =>
        (order.Status, order.Version, order.ReservationKey, order.PaymentId, string.Join(',', order.RefundedPaymentIds), string.Join(',', order.Outbox.Select(m => m.MessageId)));

    public static TEvent Decode<TEvent>(OutboxMessage message) where TEvent : IIntegrationEvent<TEvent> =>
        EventJson.Deserialize<TEvent>(System.Text.Encoding.UTF8.GetBytes(message.Payload));

    public void Dispose()
    {
        _database.Dispose();
        _folder.Dispose();
    }
}
