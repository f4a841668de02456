using Ticketing.Common.Domain;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Payments.Domain;

namespace Ticketing.Payments.Tests.Domain;

public sealed class PaymentTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static OrderReplica Order(OrderStatus status = OrderStatus.Created, decimal price = 19.99m) => new()
    {
        Id = DocumentIds.New(),
        UserId = DocumentIds.New(),
        Price = price,
        Status = status,
        TicketId = DocumentIds.New(),
    };

    [Fact]
    public void Claim_HoldsTheOrder_ForItsPrice_WithoutEvents()
    {
        var order = Order();

        var claim = Payment.Claim(order, T0);

        Assert.Equal((order.Id, order.Id, PaymentStatus.Pending, 19.99m, "usd", 0L), (claim.OrderId, claim.ClaimKey, claim.Status, claim.Amount, claim.Currency, claim.Version));
        Assert.Empty(claim.Outbox);
    }

    [Theory]
    [InlineData(OrderStatus.Cancelled, "Cannot pay for a cancelled order")]
    [InlineData(OrderStatus.Complete, "Order is already paid")]
    public void Claim_OrderThatCannotBePaid_BreaksARule(OrderStatus status, string message)
    {
        var error = Assert.Throws<DomainRuleException>(() => Payment.Claim(Order(status), T0));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Succeed_RaisesPaymentCreated_Once()
    {
        var claim = Payment.Claim(Order(), T0);

        var paid = claim.Succeed("pi_1", T0);

        Assert.Equal((PaymentStatus.Succeeded, "pi_1", 1L), (paid.Status, paid.StripeId, paid.Version));
        var message = Assert.Single(paid.Outbox);
        Assert.Equal(PaymentCreatedV1.Subject, message.Subject);
        Assert.Equal(new PaymentCreatedV1(claim.Id, claim.OrderId, "pi_1"), EventJson.Deserialize<PaymentCreatedV1>(System.Text.Encoding.UTF8.GetBytes(message.Payload)));
        Assert.Same(paid, paid.Succeed("pi_1", T0));
        Assert.Throws<InvalidOperationException>(() => paid.Succeed("pi_2", T0));
    }

    [Fact]
    public void Fail_ReleasesTheOrder_AndAFailedPaymentMaySucceedLater()
    {
        var claim = Payment.Claim(Order(), T0);

        var failed = claim.Fail("Your card requires authentication", "pi_3ds");

        Assert.Equal((PaymentStatus.Failed, Payment.ReleasedKey(claim.Id), "pi_3ds"), (failed.Status, failed.ClaimKey, failed.StripeId));
        var succeeded = failed.Succeed("pi_3ds", T0);
        Assert.Equal((PaymentStatus.Succeeded, claim.OrderId), (succeeded.Status, succeeded.ClaimKey));
        Assert.Throws<InvalidOperationException>(() => succeeded.Fail("late"));
    }

    [Fact]
    public void IsAbandoned_OnlyAfterTheClaimTimeout()
    {
        var claim = Payment.Claim(Order(), T0);

        Assert.False(claim.IsAbandonedAt(T0 + Payment.ClaimTimeout));
        Assert.True(claim.IsAbandonedAt(T0 + Payment.ClaimTimeout + TimeSpan.FromSeconds(1)));
        Assert.False(claim.Succeed("pi", T0).IsAbandonedAt(T0.AddDays(1)));
    }

    [Fact]
    public void RecordRefund_OnlyOnASucceededPayment_AndTheSameRefundTwiceChangesNothing()
    {
        var claim = Payment.Claim(Order(), T0);
        Assert.Throws<InvalidOperationException>(() => claim.RecordRefund("re_1", "succeeded", T0));
        var paid = claim.Succeed("pi_1", T0);

        var refunded = paid.RecordRefund("re_1", "pending", T0);
        var settled = refunded.RecordRefund("re_1", "succeeded", T0.AddMinutes(1));

        Assert.Equal(("re_1", "pending", paid.Version + 1), (refunded.RefundId, refunded.RefundStatus, refunded.Version));
        Assert.Equal(("succeeded", T0), (settled.RefundStatus, settled.RefundedAt));
        Assert.Same(settled, settled.RecordRefund("re_1", "succeeded", T0.AddMinutes(2)));
        Assert.Equal($"ticketing-refund-{claim.Id}", claim.RefundIdempotencyKey());
    }

    [Fact]
    public void ChargeRequest_NeverShowsTheToken()
    {
        var request = new ChargeRequest("order", 1m, "usd", "pm_secret_token", "key");

        Assert.DoesNotContain("pm_secret_token", request.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pm_secret_token", new Ticketing.Payments.Endpoints.CreatePaymentRequest("o", "pm_secret_token").ToString(), StringComparison.Ordinal);
    }
}
