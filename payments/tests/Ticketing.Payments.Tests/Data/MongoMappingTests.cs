using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Storage.Mongo;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Tests.Data;

/// <summary>
/// How payments and the order replica map to MongoDB, checked without a server (the store contract's Mongo run needs
/// one and is skipped where none is available): the documents round-trip through BSON, and the unique claim index and
/// the stores' filters name the fields as stored.
/// </summary>
public sealed class MongoMappingTests
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(7);

    static MongoMappingTests()
    {
        // Opening a database registers the storage conventions (camelCase, enums as strings, Decimal128); it does not connect.
        using var database = new MongoDocumentDatabase("mongodb://127.0.0.1:1", "mapping");
    }

    private static BsonDocument Render<T>(FilterDefinition<T> filter) =>
        filter.Render(new RenderArgs<T>(BsonSerializer.SerializerRegistry.GetSerializer<T>(), BsonSerializer.SerializerRegistry));

    [Fact]
    public void Payment_RoundTripsThroughBson_Exactly()
    {
        var order = new OrderReplica { Id = DocumentIds.New(), UserId = "u1", Price = 1234.56m, Status = OrderStatus.Created };
        var payment = Payment.Claim(order, T0).Succeed("pi_1", T0).RecordRefund("re_1", "succeeded", T0);

        var document = payment.ToBsonDocument();
        var read = BsonSerializer.Deserialize<Payment>(document);

        Assert.Equal(payment with { Outbox = [] }, read with { Outbox = [] });
        Assert.Equal(payment.Outbox, read.Outbox);
        Assert.Equal(payment.Id, document["_id"].AsString);
        Assert.Equal("Succeeded", document["status"].AsString);
        Assert.Equal(BsonType.Decimal128, document["amount"].BsonType);
        Assert.Equal(order.Id, document["claimKey"].AsString);
    }

    [Fact]
    public void OrderReplica_RoundTripsThroughBson_WithAndWithoutItsBuyer()
    {
        var known = new OrderReplica { Id = DocumentIds.New(), UserId = "u1", Price = 19.99m, Status = OrderStatus.Complete, Version = 2, TicketId = "t1" };
        var early = OrderReplica.StatusOnly(DocumentIds.New(), 1, OrderStatus.Cancelled, "t2");

        Assert.Equal(known, BsonSerializer.Deserialize<OrderReplica>(known.ToBsonDocument()));
        Assert.Equal(early, BsonSerializer.Deserialize<OrderReplica>(early.ToBsonDocument()));
        Assert.Equal(BsonType.Decimal128, known.ToBsonDocument()["price"].BsonType);
    }

    [Fact]
    public void TheStoresFilters_UseTheStoredFieldNames()
    {
        Assert.Equal(new BsonDocument("claimKey", "o1"), Render(Builders<Payment>.Filter.Where(p => p.ClaimKey == "o1")));
        Assert.Equal(new BsonDocument("stripeId", "pi_1"), Render(Builders<Payment>.Filter.Where(p => p.StripeId == "pi_1")));
        Assert.Equal(new BsonDocument { { "version", 3L }, { "userId", BsonNull.Value } },
            Render(Builders<OrderReplica>.Filter.Where(r => r.Version == 3L && r.UserId == null)));
    }
}
