using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Storage;
using Ticketing.Payments.Data;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Tests.Data;

/// <summary>
/// What payments relies on from its store, the same on every backend: the embedded store always, MongoDB where one is
/// available (otherwise those tests are skipped with the reason). Above all: of any number of concurrent claims for
/// one order exactly one is stored.
/// </summary>
public abstract class PaymentStoreContract<TBackend> : StoreContractTests<TBackend> where TBackend : StoreBackend, new()
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567);

    protected override string ServiceName => "payments";

    private async Task<(IPaymentStore Payments, IOrderReplicaStore Orders)> StoresAsync()
    {
        var database = await DatabaseAsync();
        var payments = database.GetCollection<Payment>(PaymentStore.CollectionName);
        await PaymentStore.InitializeAsync(payments, CancellationToken.None);
        return (new PaymentStore(payments), new OrderReplicaStore(database.GetCollection<OrderReplica>(OrderReplicaStore.CollectionName)));
    }

    private static OrderReplica NewOrder() => new()
    {
        Id = DocumentIds.New(),
        UserId = DocumentIds.New(),
        Price = 19.99m,
        Status = OrderStatus.Created,
        TicketId = DocumentIds.New(),
    };

    [SkippableFact]
    public async Task Add_20ConcurrentClaimsForOneOrder_StoresExactlyOne()
    {
        var (payments, _) = await StoresAsync();
        var order = NewOrder();
        var claims = Enumerable.Range(0, 20).Select(_ => Payment.Claim(order, T0)).ToList();

        var results = await Task.WhenAll(claims.Select(claim => Task.Run(() => payments.AddAsync(claim))));

        Assert.Equal(1, results.Count(r => r == WriteResult.Ok));
        Assert.Equal(19, results.Count(r => r == WriteResult.Duplicate));
        Assert.Equal(claims[Array.IndexOf(results, WriteResult.Ok)].Id, (await payments.GetForOrderAsync(order.Id))!.Id);
    }

    [SkippableFact]
    public async Task AFailedClaim_FreesTheOrder_ASucceededOneNever()
    {
        var (payments, _) = await StoresAsync();
        var order = NewOrder();
        var first = Payment.Claim(order, T0);
        await payments.AddAsync(first);

        Assert.Equal(WriteResult.Ok, await payments.ReplaceAsync(first, first.Fail("declined", "pi_declined")));
        Assert.Null(await payments.GetForOrderAsync(order.Id));
        var second = Payment.Claim(order, T0);
        Assert.Equal(WriteResult.Ok, await payments.AddAsync(second));
        Assert.Equal(WriteResult.Ok, await payments.ReplaceAsync(second, second.Succeed("pi_paid", T0)));

        Assert.Equal(WriteResult.Duplicate, await payments.AddAsync(Payment.Claim(order, T0)));
        var revived = (await payments.GetAsync(first.Id))!;
        Assert.Equal(WriteResult.Duplicate, await payments.ReplaceAsync(revived, revived.Succeed("pi_declined", T0)));
        Assert.Equal(["pi_declined", "pi_paid"], (await payments.ListForOrderAsync(order.Id)).Select(p => p.StripeId));
        Assert.Equal(second.Id, (await payments.GetByStripeIdAsync("pi_paid"))!.Id);
    }

    [SkippableFact]
    public async Task Replace_FromAStaleVersion_Conflicts()
    {
        var (payments, _) = await StoresAsync();
        var claim = Payment.Claim(NewOrder(), T0);
        await payments.AddAsync(claim);
        Assert.Equal(WriteResult.Ok, await payments.ReplaceAsync(claim, claim.Succeed("pi_1", T0)));

        Assert.Equal(WriteResult.Conflict, await payments.ReplaceAsync(claim, claim.Fail("late decline")));
        Assert.Equal(PaymentStatus.Succeeded, (await payments.GetAsync(claim.Id))!.Status);
    }

    [SkippableFact]
    public async Task Payment_RoundTripsEveryField()
    {
        var (payments, _) = await StoresAsync();
        var paid = Payment.Claim(NewOrder(), T0).Succeed("pi_1", T0).RecordRefund("re_1", "succeeded", T0.AddMinutes(1));
        await payments.AddAsync(paid);

        var stored = (await payments.GetAsync(paid.Id))!;

        Assert.Equal(paid with { Outbox = [] }, stored with { Outbox = [] });
        Assert.Equal(paid.Outbox, stored.Outbox);
        Assert.Equal(19.99m, stored.Amount);
    }

    [SkippableFact]
    public async Task OrderReplica_ReplaceComparesVersionAndWhetherTheBuyerIsKnown()
    {
        var (_, orders) = await StoresAsync();
        var early = OrderReplica.StatusOnly(DocumentIds.New(), 1, OrderStatus.Cancelled, DocumentIds.New());
        Assert.Equal(WriteResult.Ok, await orders.AddAsync(early));
        Assert.Equal(WriteResult.Duplicate, await orders.AddAsync(early));
        var known = early with { UserId = "buyer", Price = 3m };

        Assert.Equal(WriteResult.Ok, await orders.ReplaceAsync(early, known));
        Assert.Equal(WriteResult.Conflict, await orders.ReplaceAsync(early, early with { UserId = "other", Price = 4m }));
        Assert.Equal(WriteResult.Ok, await orders.ReplaceAsync(known, known.WithStatus(2, OrderStatus.Complete)));
        Assert.Equal(WriteResult.Conflict, await orders.ReplaceAsync(known, known.WithStatus(3, OrderStatus.Cancelled)));

        Assert.Equal(known with { Version = 2, Status = OrderStatus.Complete }, await orders.GetAsync(early.Id));
    }
}

public sealed class PaymentStoreOnEmbedded : PaymentStoreContract<EmbeddedStoreBackend>;

public sealed class PaymentStoreOnMongo : PaymentStoreContract<MongoStoreBackend>;
