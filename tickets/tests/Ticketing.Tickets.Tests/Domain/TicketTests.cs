using Ticketing.Common.Domain;
using Ticketing.Common.Events;
using Ticketing.Common.Http;
using Ticketing.Common.Outbox;
using Ticketing.Common.Storage;
using Ticketing.Tickets.Domain;

namespace Ticketing.Tickets.Tests.Domain;

/// <summary>The ticket's transitions: each is version + 1 with its event in the outbox, and guards what may happen.</summary>
public sealed class TicketTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Seller = DocumentIds.New();

    private static T EventIn<T>(OutboxMessage message) where T : IIntegrationEvent<T>
    {
        Assert.Equal(T.Subject, message.Subject);
        return EventJson.Deserialize<T>(System.Text.Encoding.UTF8.GetBytes(message.Payload));
    }

    [Fact]
    public void Create_StartsAvailableAtVersion0_WithTicketCreatedInTheOutbox()
    {
        var ticket = Ticket.Create("  Concert  ", 25.5m, Seller, Now);

        Assert.True(DocumentIds.IsValid(ticket.Id));
        Assert.Equal(("Concert", 25.5m, Seller, 0L, TicketStatus.Available, (string?)null, Now), (ticket.Title, ticket.Price, ticket.UserId, ticket.Version, ticket.Status, ticket.OrderId, ticket.CreatedAt));
        var message = Assert.Single(ticket.Outbox);
        Assert.Equal(new TicketCreatedV1(ticket.Id, 0, "Concert", 25.5m, Seller), EventIn<TicketCreatedV1>(message));
        Assert.Equal($"ticket.created.v1:{ticket.Id}:v0", message.MessageId);
        Assert.Equal(Now, message.OccurredAt);
    }

    [Fact]
    public void Edit_RaisesTheVersionByOne_AndAppendsTicketUpdated()
    {
        var ticket = Ticket.Create("Concert", 25m, Seller, Now);

        var edited = ticket.Edit(" Opera ", 30m, Now.AddMinutes(1));

        Assert.Equal(("Opera", 30m, 1L), (edited.Title, edited.Price, edited.Version));
        Assert.Equal(2, edited.Outbox.Length); // the create's event is still waiting to be published
        Assert.Equal(new TicketUpdatedV1(ticket.Id, 1, "Opera", 30m, Seller, null, TicketStatus.Available), EventIn<TicketUpdatedV1>(edited.Outbox[1]));
        Assert.Equal(0, ticket.Version); // the old state is untouched
    }

    [Theory]
    [InlineData(TicketStatus.Reserved)]
    [InlineData(TicketStatus.Sold)]
    public void Edit_ReservedOrSold_IsRefusedWith400(TicketStatus status)
    {
        var orderId = DocumentIds.New();
        var ticket = Ticket.Create("Concert", 25m, Seller, Now).Reserve(orderId, Now);
        if (status == TicketStatus.Sold)
        {
            ticket = ticket.MarkSold(orderId, Now);
        }

        var error = Assert.Throws<DomainRuleException>(() => ticket.Edit("Other", 1m, Now));

        Assert.Equal(400, ApiExceptionHandler.Map(error).Status);
        Assert.Equal("Cannot edit a reserved ticket", error.Message);
    }

    [Fact]
    public void ReserveReleaseMarkSold_EachStep_RaisesTheVersionByOneWithTheOrderInTheEvent()
    {
        var (first, second) = (DocumentIds.New(), DocumentIds.New());
        var ticket = Ticket.Create("Concert", 25m, Seller, Now) with { Outbox = [] };

        var reserved = ticket.Reserve(first, Now);
        var released = reserved.Release(first, Now);
        var reservedAgain = released.Reserve(second, Now);
        var sold = reservedAgain.MarkSold(second, Now);

        Assert.Equal([1L, 2L, 3L, 4L], new[] { reserved, released, reservedAgain, sold }.Select(t => t.Version));
        Assert.Equal(
            [
                new TicketUpdatedV1(ticket.Id, 1, "Concert", 25m, Seller, first, TicketStatus.Reserved),
                new TicketUpdatedV1(ticket.Id, 2, "Concert", 25m, Seller, null, TicketStatus.Available),
                new TicketUpdatedV1(ticket.Id, 3, "Concert", 25m, Seller, second, TicketStatus.Reserved),
                new TicketUpdatedV1(ticket.Id, 4, "Concert", 25m, Seller, second, TicketStatus.Sold),
            ],
            sold.Outbox.Select(EventIn<TicketUpdatedV1>));
        Assert.True(sold.IsSoldTo(second));
        Assert.True(sold.WasCancelled(first));
    }

    [Fact]
    public void Reserve_WhenReservedOrSold_IsRefused()
    {
        var orderId = DocumentIds.New();
        var reserved = Ticket.Create("Concert", 25m, Seller, Now).Reserve(orderId, Now);

        Assert.Throws<InvalidOperationException>(() => reserved.Reserve(DocumentIds.New(), Now));
        Assert.Throws<InvalidOperationException>(() => reserved.MarkSold(orderId, Now).Reserve(DocumentIds.New(), Now));
    }

    [Fact]
    public void Reserve_ForACancelledOrder_IsRefused()
    {
        var orderId = DocumentIds.New();
        var ticket = Ticket.Create("Concert", 25m, Seller, Now).RememberCancelled(orderId, Now);

        Assert.Throws<InvalidOperationException>(() => ticket.Reserve(orderId, Now));
    }

    [Fact]
    public void Release_ByAnOrderThatDoesNotHoldTheTicket_IsRefused()
    {
        var reserved = Ticket.Create("Concert", 25m, Seller, Now).Reserve(DocumentIds.New(), Now);

        Assert.Throws<InvalidOperationException>(() => reserved.Release(DocumentIds.New(), Now));
    }

    [Fact]
    public void Release_ASoldTicket_IsRefused()
    {
        var orderId = DocumentIds.New();
        var sold = Ticket.Create("Concert", 25m, Seller, Now).Reserve(orderId, Now).MarkSold(orderId, Now);

        Assert.Throws<InvalidOperationException>(() => sold.Release(orderId, Now));
    }

    [Fact]
    public void MarkSold_WithoutTheReservation_IsRefused()
    {
        var available = Ticket.Create("Concert", 25m, Seller, Now);
        var reserved = available.Reserve(DocumentIds.New(), Now);

        Assert.Throws<InvalidOperationException>(() => available.MarkSold(DocumentIds.New(), Now));
        Assert.Throws<InvalidOperationException>(() => reserved.MarkSold(DocumentIds.New(), Now));
    }

    [Fact]
    public void RememberCancelled_ChangesNothingOthersSee_ButIsANewRevision()
    {
        var ticket = Ticket.Create("Concert", 25m, Seller, Now);
        var orderId = DocumentIds.New();

        var remembered = ticket.RememberCancelled(orderId, Now);

        Assert.Equal((ticket.Version, ticket.Status, ticket.OrderId, ticket.Outbox.Length), (remembered.Version, remembered.Status, remembered.OrderId, remembered.Outbox.Length));
        Assert.Equal(ticket.Revision + 1, remembered.Revision);
        Assert.True(remembered.WasCancelled(orderId));
        Assert.Equal(remembered.CancelledOrders, remembered.RememberCancelled(orderId, Now).CancelledOrders); // once only
    }

    [Fact]
    public void RememberCancelled_KeepsEveryCancellationForTheKeepPeriod_WhateverTheirNumber_ThenForgetsIt()
    {
        var ticket = Ticket.Create("Concert", 25m, Seller, Now);
        var orders = Enumerable.Range(0, 150).Select(_ => DocumentIds.New()).ToList();

        foreach (var orderId in orders)
        {
            ticket = ticket.RememberCancelled(orderId, Now);
        }

        Assert.All(orders, orderId => Assert.True(ticket.WasCancelled(orderId)));
        var later = ticket.RememberCancelled(DocumentIds.New(), Now + Ticket.CancelledOrdersKeptFor);
        Assert.All(orders, orderId => Assert.False(later.WasCancelled(orderId)));
        Assert.Single(later.CancelledOrders);
    }

    [Fact]
    public void CancelledOrderIds_StoredByTheEarlierVersion_AreHonoured_AndKeptWithATime()
    {
        var legacy = DocumentIds.New();
        var ticket = Ticket.Create("Concert", 25m, Seller, Now) with { CancelledOrderIds = [legacy] };

        Assert.True(ticket.WasCancelled(legacy));
        var next = ticket.RememberCancelled(DocumentIds.New(), Now);
        Assert.Empty(next.CancelledOrderIds);
        Assert.Contains(new CancelledOrder(legacy, Now), next.CancelledOrders);
    }

    [Theory]
    [InlineData("10.500", "10.50")]
    [InlineData("10", "10")]
    [InlineData("0.01", "0.01")]
    [InlineData("1000000.00", "1000000.00")]
    public void NormalizePrice_KeepsTheValue_WithAtMostTwoPlaces(string given, string stored)
    {
        var price = Ticket.NormalizePrice(decimal.Parse(given, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(stored, price.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("10.001")]
    [InlineData("1000000.01")]
    public void Create_WithAnInvalidPrice_IsRefused(string price)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Ticket.Create("Concert", decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture), Seller, Now));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Create_WithAnEmptyTitle_IsRefused(string title)
    {
        Assert.Throws<ArgumentException>(() => Ticket.Create(title, 1m, Seller, Now));
        Assert.Throws<ArgumentException>(() => Ticket.Create(new string('x', Ticket.MaxTitleLength + 1), 1m, Seller, Now));
    }
}
