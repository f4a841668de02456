using System.Text;
using Ticketing.Common.Events;
using Ticketing.Common.Messaging;
using Ticketing.Common.Testing;
using Ticketing.E2E.Tests.Platform;
using Xunit.Abstractions;

namespace Ticketing.E2E.Tests.Faults;

/// <summary>
/// One poison message on every subject a service consumes (malformed JSON, or JSON of the wrong shape), published
/// straight to the stream ahead of real traffic: each consumer parks it in the dead-letter stream exactly once and
/// logs it, and keeps handling the good messages behind it (a whole purchase, a cancellation, an expiry, a refund).
/// </summary>
[Collection(ShortWindowCollection.Name)]
public sealed class PoisonMessageTests(ShortWindowPlatformFixture platform, ITestOutputHelper output)
{
    [Fact]
    public async Task PoisonMessage_OnEveryConsumedSubject_IsParkedOnceByEachConsumer_AndTheGoodMessagesBehindItAreHandled()
    {
        await using var ledger = new EventLedger(platform);
        var deadLettersBefore = (await ledger.DeadLettersAsync()).Count;

        // Who consumes what, as the services set it up: <service>-<event> durable consumers, one subject each.
        var consumers = (await ledger.ConsumersAsync())
            .Select(c => (Service: c.Name[..c.Name.IndexOf('-', StringComparison.Ordinal)], Subject: c.Config.FilterSubject!))
            .ToList();
        var subjects = consumers.Select(c => c.Subject).Distinct().Order(StringComparer.Ordinal).ToList();
        string[] expected = [TicketCreatedV1.Subject, TicketUpdatedV1.Subject, OrderCreatedV1.Subject, OrderCancelledV1.Subject,
            OrderCompletedV1.Subject, ExpirationCompletedV1.Subject, PaymentCreatedV1.Subject, OrderRefundRequestedV1.Subject];
        Assert.Equal(expected.Order(StringComparer.Ordinal), subjects);

        var poisons = new Dictionary<string, string>(); // subject -> message id
        for (var i = 0; i < subjects.Count; i++)
        {
            var id = $"poison-{i}-{Guid.NewGuid():N}";
            var body = i % 2 == 0
                ? "{\"id\": \"" + id + "\", \"version\": 0, \"title\": "                     // malformed: cut off
                : "{\"id\": \"" + id + "\", \"version\": \"zero\", \"unexpected\": [1, 2]}";  // wrong schema
            await ledger.PublishRawAsync(subjects[i], Encoding.UTF8.GetBytes(body), id);
            poisons[subjects[i]] = id;
        }

        output.WriteLine($"Published {poisons.Count} poison messages (malformed JSON and wrong schema, alternately) on: {string.Join(", ", subjects)}");

        // The good messages behind them: a purchase, a cancellation, an expiry, and a refund request.
        using var seller = await User.SignUpAsync(platform, "seller");
        using var payer = await User.SignUpAsync(platform, "payer");
        using var canceller = await User.SignUpAsync(platform, "canceller");
        using var forgetter = await User.SignUpAsync(platform, "forgetter");
        var paid = await seller.SellAsync("Bought past the poison", 25m);
        var cancelled = await seller.SellAsync("Cancelled past the poison", 26m);
        var expired = await seller.SellAsync("Expired past the poison", 27m);
        var paidOrder = await payer.BuyAsync(paid.Id);
        var payment = await payer.PaidAsync(paidOrder.Id);
        var cancelledOrder = await canceller.BuyAsync(cancelled.Id);
        await canceller.CancelAsync(cancelledOrder.Id);
        var expiredOrder = await forgetter.BuyAsync(expired.Id);
        var refund = new OrderRefundRequestedV1(paidOrder.Id, payment.Id, payment.StripeId);
        await ledger.PublishRawAsync(OrderRefundRequestedV1.Subject, EventJson.Serialize(refund), refund.MessageId);

        await seller.TicketEventuallyAsync(paid.Id, t => t is { Status: "sold", Version: 2 } && t.OrderId == paidOrder.Id, "the paid ticket is sold");
        await payer.OrderEventuallyAsync(paidOrder.Id, o => o is { Status: "complete", Ticket.Version: 2 }, "the paid order is complete");
        await seller.TicketEventuallyAsync(cancelled.Id, t => t is { Status: "available", Version: 2 }, "the cancelled order's ticket is released");
        await forgetter.OrderEventuallyAsync(expiredOrder.Id, o => o.Status == "cancelled", "the unpaid order expires");
        await seller.TicketEventuallyAsync(expired.Id, t => t is { Status: "available", Version: 2 }, "the expired order's ticket is released");
        await Eventually.TrueAsync(() => platform.LogsOf("payments").Contains($"Payment {payment.Id} of order {paidOrder.Id} was refunded", StringComparison.Ordinal),
            "payments to refund the payment of the refund request");
        await Reconciliation.SettleAsync(platform, ledger);

        // Each consumer parked its subject's poison once, and nothing else.
        var parked = (await ledger.DeadLettersAsync()).Skip(deadLettersBefore).ToList();
        foreach (var (service, subject) in consumers)
        {
            var mine = parked.Where(d => d.Subject == JetStreamTopology.DeadLetterSubject(service, subject)).ToList();
            var letter = Assert.Single(mine);
            Assert.Equal(poisons[subject], letter.Header(MessageHeaders.OriginalMessageId));
            Assert.StartsWith("undecodable", letter.Header(MessageHeaders.ParkedReason), StringComparison.Ordinal);
            Assert.Contains($"parked message {poisons[subject]}", platform.LogsOf(service), StringComparison.Ordinal);
        }

        Assert.Equal(consumers.Count, parked.Count);
        output.WriteLine($"Dead letters: {parked.Count} new, exactly one per consumer ({consumers.Count}), each logged by its service:");
        foreach (var letter in parked)
        {
            output.WriteLine($"  {letter.Subject}: {letter.Header(MessageHeaders.ParkedReason)}");
        }

        output.WriteLine("Behind them: 1 purchase completed (ticket sold v2, order complete), 1 cancellation and 1 expiry released their tickets (v2), 1 refund made; every consumer drained.");
    }
}
