using Ticketing.Common.Domain;
using Ticketing.Common.Events;
using Ticketing.Common.Http;
using Ticketing.Common.Outbox;
using Ticketing.Orders.Data;
using Ticketing.Orders.Domain;

namespace Ticketing.Orders.Tests.Domain;

/// <summary>The order's transitions and the events each one raises, without storage or messaging.</summary>
public sealed class OrderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly TicketReplica Ticket = new() { Id = "6743a1f0c2b5e3a1d4f09a12", Title = "Concert", Price = 20.5m, Version = 3 };

    private static Order NewOrder() => Order.Create("6743a2a0c2b5e3a1d4f09a1f", Ticket, Now, TimeSpan.FromMinutes(15));

    private static T SingleEvent<T>(OutboxMessage[] outbox) where T : IIntegrationEvent<T>
    {
        var message = Assert.Single(outbox, m => m.Subject == T.Subject);
        return EventJson.Deserialize<T>(System.Text.Encoding.UTF8.GetBytes(message.Payload));
    }

    [Fact]
    public void Create_ReservesTheTicketUntilTheWindowEnds_AndRaisesOrderCreated()
    {
        var order = NewOrder();

        Assert.Equal(OrderStatus.Created, order.Status);
        Assert.Equal(0, order.Version);
        Assert.Equal(Now.AddMinutes(15), order.ExpiresAt);
        Assert.Equal(Ticket.Id, order.ReservationKey);
        Assert.Equal((Ticket.Id, "Concert", 20.5m, 3L), (order.TicketId, order.TicketTitle, order.TicketPrice, order.TicketVersion));
        var created = SingleEvent<OrderCreatedV1>(order.Outbox);
        Assert.Equal(new OrderCreatedV1(order.Id, 0, OrderStatus.Created, order.UserId, order.ExpiresAt, new OrderTicketV1(Ticket.Id, 20.5m)), created);
    }

    [Fact]
    public void HasExpiredAt_IsFalseATickBeforeExpiresAt_AndTrueExactlyAtIt()
    {
        var order = NewOrder();

        Assert.False(order.HasExpiredAt(order.ExpiresAt.AddTicks(-1)));
        Assert.True(order.HasExpiredAt(order.ExpiresAt));
    }

    [Fact]
    public void Cancel_PendingOrder_ReleasesTheTicket_AndRaisesOrderCancelled()
    {
        var order = NewOrder() with { Outbox = [] };

        var cancelled = order.Cancel(Now);

        Assert.Equal(OrderStatus.Cancelled, cancelled.Status);
        Assert.Equal(1, cancelled.Version);
        Assert.Equal($"released:{order.Id}", cancelled.ReservationKey);
        Assert.Equal(new OrderCancelledV1(order.Id, 1, new OrderTicketRefV1(Ticket.Id)), SingleEvent<OrderCancelledV1>(cancelled.Outbox));
    }

    [Fact]
    public void Cancel_AwaitingPaymentOrder_IsCancelled()
    {
        var order = NewOrder() with { Status = OrderStatus.AwaitingPayment };

        Assert.Equal(OrderStatus.Cancelled, order.Cancel(Now).Status);
    }

    [Fact]
    public void Cancel_CancelledOrder_ChangesNothing()
    {
        var cancelled = NewOrder().Cancel(Now) with { Outbox = [] };

        var again = cancelled.Cancel(Now);

        Assert.Same(cancelled, again);
        Assert.Empty(again.Outbox);
    }

    [Fact]
    public void Cancel_CompletedOrder_IsRefusedWith400()
    {
        var completed = NewOrder().Complete("pay1", Now);

        var error = Assert.Throws<DomainRuleException>(() => completed.Cancel(Now));

        Assert.Equal(400, ApiExceptionHandler.Map(error).Status);
        Assert.Equal("Cannot cancel a completed order", error.Message);
    }

    [Fact]
    public void Complete_PendingOrder_KeepsTheTicket_AndRaisesOrderCompleted()
    {
        var order = NewOrder() with { Outbox = [] };

        var completed = order.Complete("pay1", Now);

        Assert.Equal((OrderStatus.Complete, 1L, "pay1"), (completed.Status, completed.Version, completed.PaymentId));
        Assert.Equal(Ticket.Id, completed.ReservationKey);
        Assert.Equal(new OrderCompletedV1(order.Id, 1, new OrderTicketRefV1(Ticket.Id)), SingleEvent<OrderCompletedV1>(completed.Outbox));
    }

    [Fact]
    public void Complete_SamePaymentAgain_ChangesNothing()
    {
        var completed = NewOrder().Complete("pay1", Now);

        Assert.Same(completed, completed.Complete("pay1", Now));
    }

    [Fact]
    public void Complete_CancelledOrder_IsRefused()
    {
        var cancelled = NewOrder().Cancel(Now);

        Assert.Throws<InvalidOperationException>(() => cancelled.Complete("pay1", Now));
    }

    [Fact]
    public void RequestRefund_CancelledOrder_StaysCancelled_AndRaisesOrderRefundRequestedOncePerPayment()
    {
        var cancelled = NewOrder().Cancel(Now) with { Outbox = [] };
        var payment = new PaymentCreatedV1("pay1", cancelled.Id, "pi_1");

        var refunded = cancelled.RequestRefund(payment, Now);

        Assert.Equal((OrderStatus.Cancelled, 2L), (refunded.Status, refunded.Version));
        Assert.Equal(cancelled.ReservationKey, refunded.ReservationKey);
        Assert.Equal(new OrderRefundRequestedV1(cancelled.Id, "pay1", "pi_1"), SingleEvent<OrderRefundRequestedV1>(refunded.Outbox));
        Assert.Same(refunded, refunded.RequestRefund(payment, Now));
    }

    [Fact]
    public void RequestRefund_SecondPaymentForACompletedOrder_KeepsItComplete()
    {
        var completed = NewOrder().Complete("pay1", Now) with { Outbox = [] };

        var refunded = completed.RequestRefund(new PaymentCreatedV1("pay2", completed.Id, "pi_2"), Now);

        Assert.Equal((OrderStatus.Complete, "pay1"), (refunded.Status, refunded.PaymentId));
        Assert.Equal("pay2", SingleEvent<OrderRefundRequestedV1>(refunded.Outbox).PaymentId);
    }

    [Fact]
    public void RequestRefund_ForThePaymentThatCompletesTheOrder_IsRefused()
    {
        var order = NewOrder();

        Assert.Throws<InvalidOperationException>(() => order.RequestRefund(new PaymentCreatedV1("pay1", order.Id, "pi_1"), Now));
        var completed = order.Complete("pay1", Now);
        Assert.Throws<InvalidOperationException>(() => completed.RequestRefund(new PaymentCreatedV1("pay1", order.Id, "pi_1"), Now));
    }
}
