using System.Net;
using System.Net.Http.Json;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Orders.Endpoints;
using Ticketing.Orders.Tests.Infrastructure;

namespace Ticketing.Orders.Tests.Events;

/// <summary>
/// PaymentCreated through a real nats-server: a pending order completes (OrderCompleted); a payment the order
/// cannot take never changes it and asks payments for a refund, once.
/// </summary>
/// One app (and nats-server) per test: the class is its own fixture, which xunit starts and stops around each test.
public sealed class PaymentTests : OrdersAppFixture
{

    [Fact]
    public async Task Payment_PendingOrder_CompletesIt_AndPublishesOrderCompleted()
    {
        var (client, order) = await App.PlaceNewOrderAsync();

        await App.PublishAsync(new PaymentCreatedV1(DocumentIds.New(), order.Id, "pi_1"));

        var completed = await App.WaitForEventAsync<OrderCompletedV1>(e => e.Id == order.Id, "OrderCompleted");
        Assert.Equal(new OrderCompletedV1(order.Id, 1, new OrderTicketRefV1(order.Ticket.Id)), completed);
        var stored = await (await client.GetAsync($"/api/orders/{order.Id}")).ReadAsync<OrderResponse>(HttpStatusCode.OK);
        Assert.Equal((OrderStatus.Complete, 1L), (stored.Status, stored.Version));
    }

    [Fact]
    public async Task Payment_Redelivered_ChangesNothingTwice()
    {
        var (_, order) = await App.PlaceNewOrderAsync();
        var payment = new PaymentCreatedV1(DocumentIds.New(), order.Id, "pi_1");
        await App.WaitHandledAsync<PaymentCreatedV1>(await App.PublishAsync(payment));

        await App.WaitHandledAsync<PaymentCreatedV1>(await App.PublishAsync(payment, messageId: $"{payment.MessageId}:replayed"));

        var stored = await App.StoredOrderAsync(order.Id);
        Assert.Equal((OrderStatus.Complete, 1L, payment.Id), (stored.Status, stored.Version, stored.PaymentId));
        Assert.Single(await App.Events.AllAsync<OrderCompletedV1>(), e => e.Id == order.Id);
        Assert.Empty(await App.Events.AllAsync<OrderRefundRequestedV1>());
    }

    [Fact]
    public async Task Payment_ForACancelledOrder_RequestsARefundOnceAndDoesNotReviveIt()
    {
        var (client, order) = await App.PlaceNewOrderAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/orders/{order.Id}")).StatusCode);
        var payment = new PaymentCreatedV1(DocumentIds.New(), order.Id, "pi_late");

        await App.PublishAsync(payment);

        var refund = await App.WaitForEventAsync<OrderRefundRequestedV1>(e => e.OrderId == order.Id, "OrderRefundRequested");
        Assert.Equal(new OrderRefundRequestedV1(order.Id, payment.Id, "pi_late"), refund);
        var stored = await (await client.GetAsync($"/api/orders/{order.Id}")).ReadAsync<OrderResponse>(HttpStatusCode.OK);
        Assert.Equal(OrderStatus.Cancelled, stored.Status);
        Assert.Empty(await App.Events.AllAsync<OrderCompletedV1>());

        // The ticket stays free, and the same payment delivered again asks for no second refund.
        var next = await App.CreateSignedInClient().PostAsJsonAsync("/api/orders", new { ticketId = order.Ticket.Id });
        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
        var version = (await App.StoredOrderAsync(order.Id)).Version;
        await App.WaitHandledAsync<PaymentCreatedV1>(await App.PublishAsync(payment, messageId: $"{payment.MessageId}:replayed"));
        Assert.Equal(version, (await App.StoredOrderAsync(order.Id)).Version);
        Assert.Single(await App.Events.AllAsync<OrderRefundRequestedV1>());
    }

    [Fact]
    public async Task Payment_SecondPaymentForACompletedOrder_KeepsItComplete_AndRequestsARefund()
    {
        var (_, order) = await App.PlaceNewOrderAsync();
        var first = new PaymentCreatedV1(DocumentIds.New(), order.Id, "pi_1");
        await App.WaitHandledAsync<PaymentCreatedV1>(await App.PublishAsync(first));

        var second = new PaymentCreatedV1(DocumentIds.New(), order.Id, "pi_2");
        await App.PublishAsync(second);

        var refund = await App.WaitForEventAsync<OrderRefundRequestedV1>(e => e.OrderId == order.Id, "OrderRefundRequested");
        Assert.Equal(new OrderRefundRequestedV1(order.Id, second.Id, "pi_2"), refund);
        var stored = await App.StoredOrderAsync(order.Id);
        Assert.Equal((OrderStatus.Complete, first.Id), (stored.Status, stored.PaymentId));
        Assert.Single(await App.Events.AllAsync<OrderCompletedV1>(), e => e.Id == order.Id);
    }

    [Fact]
    public async Task Payment_UnknownOrder_IsParked()
    {
        var payment = new PaymentCreatedV1(DocumentIds.New(), DocumentIds.New(), "pi_1");

        await App.PublishAsync(payment);

        await App.WaitForParkedAsync<PaymentCreatedV1>(e => e.Id == payment.Id, "the message to be dead-lettered");
    }
}
