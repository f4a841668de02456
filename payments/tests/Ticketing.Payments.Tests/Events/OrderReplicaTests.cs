using System.Net;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing;
using Ticketing.Common.Testing.Web;
using Ticketing.Payments.Domain;
using Ticketing.Payments.Tests.Infrastructure;

namespace Ticketing.Payments.Tests.Events;

/// <summary>
/// The order replica through a real nats-server: OrderCreated, OrderCancelled and OrderCompleted travel on different
/// subjects and may be handled in any order; the replica ends where the newest version says, and a buyer can pay
/// exactly when that says so.
/// </summary>
public sealed class OrderReplicaTests(SimulatedPaymentsFixture fixture) : IClassFixture<SimulatedPaymentsFixture>
{
    private PaymentsApp App => fixture.App;

    private static OrderCreatedV1 Created(string userId, decimal price = 20m) =>
        new(DocumentIds.New(), 0, OrderStatus.Created, userId, DateTimeOffset.UtcNow.AddMinutes(15), new OrderTicketV1(DocumentIds.New(), price));

    private Task<OrderReplica> ReplicaEventuallyAsync(string id, Func<OrderReplica, bool> condition, string what) =>
        Eventually.ValueAsync(async () => await App.Orders.GetAsync(id) is { } r && condition(r) ? r : null, what);

    [Fact]
    public async Task OrderCreated_InsertsTheReplica_AndTheBuyerCanPay()
    {
        var buyer = App.CreateSignedInClient(out var userId);
        var created = Created(userId, 12.34m);

        await App.PublishAsync(created);

        var replica = await ReplicaEventuallyAsync(created.Id, _ => true, "the replica");
        Assert.Equal((0L, OrderStatus.Created, userId, (decimal?)12.34m, created.Ticket.Id), (replica.Version, replica.Status, replica.UserId, replica.Price, replica.TicketId));
        var paid = await PaymentsApp.PaidAsync(buyer, created.Id);
        Assert.Equal(12.34m, (await App.Payments.GetAsync(paid.Id))!.Amount);
    }

    [Fact]
    public async Task CreatedThenCancelled_ReplicaIsCancelled_AndPayingReturns400()
    {
        var buyer = App.CreateSignedInClient(out var userId);
        var created = Created(userId);
        await App.WaitHandledAsync<OrderCreatedV1>(await App.PublishAsync(created));

        await App.PublishAsync(new OrderCancelledV1(created.Id, 1, new OrderTicketRefV1(created.Ticket.Id)));

        await ReplicaEventuallyAsync(created.Id, r => r.Status == OrderStatus.Cancelled && r.Version == 1, "the replica to be cancelled");
        await (await PaymentsApp.PayAsync(buyer, created.Id)).AssertProblemAsync(HttpStatusCode.BadRequest, ("Cannot pay for a cancelled order", null));
    }

    [Fact]
    public async Task CancelledBeforeCreated_ReplicaEndsCancelled_WithTheBuyerKnown()
    {
        var buyer = App.CreateSignedInClient(out var userId);
        var created = Created(userId);
        await App.WaitHandledAsync<OrderCancelledV1>(await App.PublishAsync(new OrderCancelledV1(created.Id, 1, new OrderTicketRefV1(created.Ticket.Id))));
        var early = (await App.Orders.GetAsync(created.Id))!;
        Assert.Equal((OrderStatus.Cancelled, 1L, false), (early.Status, early.Version, early.IsKnown()));

        await App.WaitHandledAsync<OrderCreatedV1>(await App.PublishAsync(created));

        var replica = (await App.Orders.GetAsync(created.Id))!;
        Assert.Equal((OrderStatus.Cancelled, 1L, userId, (decimal?)20m), (replica.Status, replica.Version, replica.UserId, replica.Price));
        await (await PaymentsApp.PayAsync(buyer, created.Id)).AssertProblemAsync(HttpStatusCode.BadRequest, ("Cannot pay for a cancelled order", null));
    }

    [Fact]
    public async Task CompletedBeforeCreated_ReplicaEndsComplete_AndPayingReturns400AlreadyPaid()
    {
        var buyer = App.CreateSignedInClient(out var userId);
        var created = Created(userId);
        await App.WaitHandledAsync<OrderCompletedV1>(await App.PublishAsync(new OrderCompletedV1(created.Id, 1, new OrderTicketRefV1(created.Ticket.Id))));

        await App.WaitHandledAsync<OrderCreatedV1>(await App.PublishAsync(created));

        var replica = (await App.Orders.GetAsync(created.Id))!;
        Assert.Equal((OrderStatus.Complete, 1L, userId), (replica.Status, replica.Version, replica.UserId));
        await (await PaymentsApp.PayAsync(buyer, created.Id)).AssertProblemAsync(HttpStatusCode.BadRequest, ("Order is already paid", null));
    }

    [Fact]
    public async Task AnOlderVersion_ArrivingLate_ChangesNothing()
    {
        var created = Created(DocumentIds.New());
        await App.WaitHandledAsync<OrderCreatedV1>(await App.PublishAsync(created));
        await App.WaitHandledAsync<OrderCompletedV1>(await App.PublishAsync(new OrderCompletedV1(created.Id, 2, new OrderTicketRefV1(created.Ticket.Id))));

        await App.WaitHandledAsync<OrderCancelledV1>(await App.PublishAsync(new OrderCancelledV1(created.Id, 1, new OrderTicketRefV1(created.Ticket.Id))));
        await App.WaitHandledAsync<OrderCreatedV1>(await App.PublishAsync(created, messageId: $"{created.MessageId}:replayed"));

        var replica = (await App.Orders.GetAsync(created.Id))!;
        Assert.Equal((OrderStatus.Complete, 2L), (replica.Status, replica.Version));
        Assert.Empty(await App.Events.ParkedAsync());
    }

    [Fact]
    public async Task AllThreeEvents_InEveryOrder_EndAtTheNewestVersion()
    {
        string[][] orders =
        [
            ["created", "cancelled", "completed"], ["created", "completed", "cancelled"], ["cancelled", "created", "completed"],
            ["cancelled", "completed", "created"], ["completed", "created", "cancelled"], ["completed", "cancelled", "created"],
        ];
        var expected = new List<(string Id, string UserId)>();
        foreach (var sequence in orders)
        {
            // The newest version here is the completion (v2): whatever arrives later is older.
            var created = Created(DocumentIds.New());
            expected.Add((created.Id, created.UserId));
            foreach (var step in sequence)
            {
                var sequenceNumber = step switch
                {
                    "created" => await App.PublishAsync(created),
                    "cancelled" => await App.PublishAsync(new OrderCancelledV1(created.Id, 1, new OrderTicketRefV1(created.Ticket.Id))),
                    _ => await App.PublishAsync(new OrderCompletedV1(created.Id, 2, new OrderTicketRefV1(created.Ticket.Id))),
                };
                await (step switch
                {
                    "created" => App.WaitHandledAsync<OrderCreatedV1>(sequenceNumber),
                    "cancelled" => App.WaitHandledAsync<OrderCancelledV1>(sequenceNumber),
                    _ => App.WaitHandledAsync<OrderCompletedV1>(sequenceNumber),
                });
            }
        }

        foreach (var (id, userId) in expected)
        {
            var replica = (await App.Orders.GetAsync(id))!;
            Assert.Equal((OrderStatus.Complete, 2L, userId, (decimal?)20m), (replica.Status, replica.Version, replica.UserId, replica.Price));
        }
    }

    [Fact]
    public async Task EventsPublishedAtOnce_AcrossSubjects_EndAtTheNewestVersion()
    {
        var created = Created(DocumentIds.New());

        await Task.WhenAll(
            App.PublishAsync(new OrderCancelledV1(created.Id, 1, new OrderTicketRefV1(created.Ticket.Id))),
            App.PublishAsync(created));

        await ReplicaEventuallyAsync(created.Id, r => r.IsKnown() && r.Status == OrderStatus.Cancelled && r.Version == 1, "the replica to know the buyer and be cancelled");
    }
}
