using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Storage.Mongo;
using Ticketing.Orders.Data;
using Ticketing.Orders.Domain;

namespace Ticketing.Orders.Tests.Data;

/// <summary>
/// How the order maps to MongoDB, checked without a server (the store contract's Mongo run needs one and is skipped
/// where none is available): the document round-trips through BSON, and the reservation index and the store's
/// filters name the fields as stored.
/// </summary>
public sealed class MongoMappingTests
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).AddTicks(7);

    static MongoMappingTests()
    {
        // Opening a database registers the storage conventions (camelCase, enums as strings, Decimal128); it does not connect.
        using var database = new MongoDocumentDatabase("mongodb://127.0.0.1:1", "mapping");
    }

    private static IBsonSerializer<Order> Serializer => BsonSerializer.SerializerRegistry.GetSerializer<Order>();

    private static BsonDocument Render(FilterDefinition<Order> filter) =>
        filter.Render(new RenderArgs<Order>(Serializer, BsonSerializer.SerializerRegistry));

    private static Order CancelledAndRefunded()
    {
        var ticket = new TicketReplica { Id = DocumentIds.New(), Title = "Concert", Price = 1234.56m, Version = 4 };
        var order = Order.Create(DocumentIds.New(), ticket, T0, TimeSpan.FromMinutes(15)).Cancel(T0);
        return order.RequestRefund(new PaymentCreatedV1("pay1", order.Id, "pi_1"), T0);
    }

    [Fact]
    public void Order_RoundTripsThroughBson_Exactly()
    {
        var order = CancelledAndRefunded();

        var document = order.ToBsonDocument();
        var read = BsonSerializer.Deserialize<Order>(document);

        Assert.Equal(order with { Outbox = [], RefundedPaymentIds = [] }, read with { Outbox = [], RefundedPaymentIds = [] });
        Assert.Equal(order.RefundedPaymentIds, read.RefundedPaymentIds);
        Assert.Equal(order.Outbox, read.Outbox);
        Assert.Equal(order.Id, document["_id"].AsString);
        Assert.Equal("Cancelled", document["status"].AsString);
        Assert.Equal(BsonType.Decimal128, document["ticketPrice"].BsonType);
        Assert.False(document.Contains("isPending"), "behaviour is not stored");
    }

    [Fact]
    public void ReservationIndex_AndTheStoresFilters_UseTheStoredFieldNames()
    {
        var keys = Builders<Order>.IndexKeys.Ascending(new ExpressionFieldDefinition<Order>((System.Linq.Expressions.Expression<Func<Order, string>>)(o => o.ReservationKey)))
            .Render(new RenderArgs<Order>(Serializer, BsonSerializer.SerializerRegistry));
        var ticketId = DocumentIds.New();

        Assert.Equal(new BsonDocument("reservationKey", 1), keys);
        Assert.Equal(new BsonDocument("reservationKey", ticketId), Render(Builders<Order>.Filter.Where(o => o.ReservationKey == ticketId)));
        Assert.Equal(new BsonDocument("userId", "u1"), Render(Builders<Order>.Filter.Where(o => o.UserId == "u1")));
        Assert.Equal(new BsonDocument("version", 3L), Render(Builders<Order>.Filter.Where(o => o.Version == 3L)));
    }
}
