using Ticketing.Common.Events;
using Ticketing.Common.Domain;
using Ticketing.Common.Outbox;
using Ticketing.Common.Storage;

namespace Ticketing.Tickets.Domain;

/// <summary>
/// A ticket for sale: the aggregate and, as it is, the stored document (the outbox lives inside the document,
/// docs/decisions/0002, so the state and the events it caused are one record written in one atomic write).
/// <para>
/// Every change goes through a method here that returns the next state with <see cref="Version"/> + 1 and the
/// matching event appended to <see cref="Outbox"/>; the store writes it only if nobody changed the ticket in
/// between (compare-and-set on <see cref="Version"/> and <see cref="Revision"/>).
/// </para>
/// </summary>
public sealed record Ticket : IOutboxDocument
{
    public const int MaxTitleLength = 200;
    public const decimal MaxPrice = 1_000_000m;
    public const int PriceDecimals = 2;

    /// <summary>
    /// How long a ticket remembers a cancelled order (see <see cref="CancelledOrders"/>). Must exceed the orders'
    /// payment window (15 minutes) plus clock skew: an OrderCreated handled after its <c>expiresAt</c> never reserves
    /// anyway (<see cref="HasExpired"/>), so a cancellation only needs remembering until its order would have expired.
    /// </summary>
    public static readonly TimeSpan CancelledOrdersKeptFor = TimeSpan.FromDays(1);

    public const string CannotEditReservedMessage = "Cannot edit a reserved ticket";

    public required string Id { get; init; }
    public required string Title { get; init; }
    public required decimal Price { get; init; }
    public required string UserId { get; init; }

    /// <summary>What other services see: starts at 0, +1 per change, and every change publishes an event with it.</summary>
    public long Version { get; init; }

    /// <summary>
    /// Counts every write, including bookkeeping that changes nothing other services see (a remembered
    /// cancellation). Writers compare it as well as <see cref="Version"/>, so such a write is never lost to a
    /// writer that read the ticket before it.
    /// </summary>
    public long Revision { get; init; }

    /// <summary>The order holding the ticket while it is reserved, and the one that bought it once sold.</summary>
    public string? OrderId { get; init; }

    public TicketStatus Status { get; init; } = TicketStatus.Available;
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Orders this ticket knows are cancelled, with when it learnt it (kept for <see cref="CancelledOrdersKeptFor"/>).
    /// OrderCreated and OrderCancelled travel on different subjects and may be handled in either order, and
    /// OrderCreated is redelivered when its ack is lost: without this, a late OrderCreated of a cancelled order
    /// would reserve the ticket for an order that no longer exists, and nothing would ever release it. Together with
    /// "an expired order never reserves" this holds at any history length (a replay of a ticket with hundreds of past
    /// orders, consumers at different speeds), where a fixed number of remembered orders did not.
    /// </summary>
    public CancelledOrder[] CancelledOrders { get; init; } = [];

    /// <summary>Cancelled orders as stored before they carried a time: still honoured, moved to <see cref="CancelledOrders"/> on the next change.</summary>
    public string[] CancelledOrderIds { get; init; } = [];

    /// <summary>
    /// The listing's index key, kept by the store on every write (<c>Data/TicketStore.cs</c>): <c>available:</c>, the
    /// creation time and the id while the ticket is available, null otherwise. One indexed field that serves the list's
    /// filter and its newest-first order together, so a page costs the same however many tickets are stored.
    /// </summary>
    public string? ListKey { get; init; }

    public OutboxMessage[] Outbox { get; init; } = [];

    public bool IsAvailable => Status == TicketStatus.Available;

    /// <summary>True when <paramref name="orderId"/> holds the ticket, reserved or sold.</summary>
    public bool IsHeldBy(string orderId) => OrderId == orderId && Status != TicketStatus.Available;

    public bool IsReservedBy(string orderId) => Status == TicketStatus.Reserved && OrderId == orderId;

    public bool IsSoldTo(string orderId) => Status == TicketStatus.Sold && OrderId == orderId;

    public bool WasCancelled(string orderId) =>
        CancelledOrders.Any(c => c.OrderId == orderId) || CancelledOrderIds.Contains(orderId);

    /// <summary>An order past its <c>expiresAt</c> is cancelled (or being cancelled) by expiration: it never reserves.</summary>
    public static bool HasExpired(DateTimeOffset expiresAt, DateTimeOffset now) => expiresAt <= now;

    /// <summary>A new ticket at version 0, with its TicketCreated waiting in the outbox.</summary>
    public static Ticket Create(string title, decimal price, string userId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        var ticket = new Ticket
        {
            Id = DocumentIds.New(),
            Title = NormalizeTitle(title),
            Price = NormalizePrice(price),
            UserId = userId,
            Version = 0,
            Status = TicketStatus.Available,
            CreatedAt = now,
        };
        var created = new TicketCreatedV1(ticket.Id, ticket.Version, ticket.Title, ticket.Price, ticket.UserId);
        return ticket with { Outbox = [OutboxMessage.Create(created, now)] };
    }

    /// <summary>The owner changes title and price. Only an available ticket can be edited (a reserved or sold one is promised to a buyer).</summary>
    public Ticket Edit(string title, decimal price, DateTimeOffset now)
    {
        if (!IsAvailable)
        {
            throw new DomainRuleException(CannotEditReservedMessage);
        }

        return Changed(this with { Title = NormalizeTitle(title), Price = NormalizePrice(price) }, now);
    }

    /// <summary>An order takes the ticket for its payment window.</summary>
    public Ticket Reserve(string orderId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        Guard(IsAvailable, $"ticket {Id} is {Status}, it cannot be reserved by order {orderId}");
        Guard(!WasCancelled(orderId), $"order {orderId} was cancelled, it cannot reserve ticket {Id}");
        return Changed(this with { Status = TicketStatus.Reserved, OrderId = orderId }, now);
    }

    /// <summary>The order holding the ticket was cancelled: the ticket is for sale again, and remembers the order.</summary>
    public Ticket Release(string orderId, DateTimeOffset now)
    {
        Guard(IsReservedBy(orderId), $"ticket {Id} is not reserved by order {orderId}, it cannot be released for it");
        return Changed(this with { Status = TicketStatus.Available, OrderId = null, CancelledOrders = Remember(orderId, now), CancelledOrderIds = [] }, now);
    }

    /// <summary>The order holding the ticket was paid: the ticket is sold to it for good.</summary>
    public Ticket MarkSold(string orderId, DateTimeOffset now)
    {
        Guard(IsReservedBy(orderId), $"ticket {Id} is not reserved by order {orderId}, it cannot be sold to it");
        return Changed(this with { Status = TicketStatus.Sold }, now);
    }

    /// <summary>
    /// The order was paid while this ticket never saw its reservation (its OrderCreated came after its expiry, e.g.
    /// during an outage or a replay, and was refused): the ticket is sold to it, as orders already decided.
    /// </summary>
    public Ticket SellTo(string orderId, DateTimeOffset now)
    {
        Guard(IsAvailable, $"ticket {Id} is {Status}, it cannot be sold to order {orderId}");
        return Reserve(orderId, now).MarkSold(orderId, now);
    }

    /// <summary>
    /// Notes that <paramref name="orderId"/> (which does not hold the ticket) was cancelled, so its OrderCreated,
    /// should it still arrive, never reserves the ticket. Nothing others see changes: no new version, no event.
    /// </summary>
    public Ticket RememberCancelled(string orderId, DateTimeOffset now)
    {
        Guard(!IsHeldBy(orderId), $"order {orderId} holds ticket {Id}: release it instead");
        return this with { CancelledOrders = Remember(orderId, now), CancelledOrderIds = [], Revision = Revision + 1 };
    }

    /// <summary>The trimmed title, as stored and published.</summary>
    public static string NormalizeTitle(string title)
    {
        var trimmed = title?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxTitleLength)
        {
            throw new ArgumentException($"A title has 1 to {MaxTitleLength} characters after trimming.", nameof(title));
        }

        return trimmed;
    }

    /// <summary>
    /// The price with at most <see cref="PriceDecimals"/> places (10.500 becomes 10.50: decimal keeps trailing
    /// zeros in its scale, which counts them as places although they are none).
    /// </summary>
    public static decimal NormalizePrice(decimal price)
    {
        if (!IsValidPrice(price))
        {
            throw new ArgumentOutOfRangeException(nameof(price), price, $"A price is above 0, at most {MaxPrice} and has at most {PriceDecimals} decimal places.");
        }

        return decimal.Round(price, PriceDecimals);
    }

    public static bool IsValidPrice(decimal price) => price > 0 && price <= MaxPrice && HasAtMostPriceDecimals(price);

    /// <summary>
    /// True when the title has no control characters (C0, DEL, C1: line breaks and tabs included) and no
    /// bidirectional formatting characters (LRM/RLM/ALM, the embeddings and overrides U+202A-U+202E, the isolates
    /// U+2066-U+2069), which can make a title display as something else than it is (the "Trojan Source" trick).
    /// </summary>
    public static bool HasOnlyVisibleText(string title)
    {
        foreach (var c in title)
        {
            if (char.IsControl(c) || c is '\u200E' or '\u200F' or '\u061C' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the price has at most two decimal places, trailing zeros not counted.</summary>
    public static bool HasAtMostPriceDecimals(decimal price) => decimal.Round(price, PriceDecimals) == price;

    private static void Guard(bool allowed, string reason)
    {
        if (!allowed)
        {
            throw new InvalidOperationException(reason);
        }
    }

    /// <summary>The cancellations still worth remembering at <paramref name="now"/>, with <paramref name="orderId"/>'s.</summary>
    private CancelledOrder[] Remember(string orderId, DateTimeOffset now)
    {
        var kept = CancelledOrders
            .Where(c => now - c.At < CancelledOrdersKeptFor)
            .Concat(CancelledOrderIds.Select(id => new CancelledOrder(id, now)))
            .ToList();
        if (!kept.Any(c => c.OrderId == orderId))
        {
            kept.Add(new CancelledOrder(orderId, now));
        }

        return [.. kept];
    }

    /// <summary>The next version of a changed ticket, with its TicketUpdated appended to the outbox.</summary>
    private Ticket Changed(Ticket next, DateTimeOffset now)
    {
        next = next with { Version = Version + 1, Revision = Revision + 1 };
        var updated = new TicketUpdatedV1(next.Id, next.Version, next.Title, next.Price, next.UserId, next.OrderId, next.Status);
        return next with { Outbox = [.. Outbox, OutboxMessage.Create(updated, now)] };
    }
}

/// <summary>An order a ticket knows is cancelled, and since when.</summary>
public sealed record CancelledOrder(string OrderId, DateTimeOffset At);
