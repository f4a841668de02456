using System.Globalization;
using Ticketing.Common.Storage;
using Ticketing.Orders.Domain;

namespace Ticketing.Orders.Data;

/// <summary>The orders collection, narrowed to what orders does with it. Writes are atomic with the order's outbox events.</summary>
public interface IOrderStore
{
    Task<Order?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// A fast answer for the common case ("someone holds this ticket"). Only a hint: two buyers can both see
    /// false; the unique reservation index decides between them in <see cref="AddAsync"/>.
    /// </summary>
    Task<bool> IsTicketHeldAsync(string ticketId, CancellationToken cancellationToken = default);

    /// <summary>The pending-order slots the user's live orders take (see <see cref="Order.PendingSlot"/>).</summary>
    Task<IReadOnlyList<string?>> PendingSlotsAsync(string userId, int maxPending, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a new order and with it its reservation; <see cref="WriteResult.Duplicate"/> when a live order holds the
    /// ticket or the order's pending slot is taken.
    /// </summary>
    Task<WriteResult> AddAsync(Order order, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="next"/> only if the stored order is still at <paramref name="current"/>'s version
    /// (compare-and-set): <see cref="WriteResult.Conflict"/> when someone changed it since it was read.
    /// </summary>
    Task<WriteResult> ReplaceAsync(Order current, Order next, CancellationToken cancellationToken = default);

    /// <summary>One page of a user's orders in the order they were placed (oldest first).</summary>
    Task<IReadOnlyList<Order>> ListForUserAsync(string userId, int limit, int offset, CancellationToken cancellationToken = default);

    /// <summary>Every order ever placed for a ticket, live or not.</summary>
    Task<IReadOnlyList<Order>> ListForTicketAsync(string ticketId, CancellationToken cancellationToken = default);
}

/// <summary>
/// <see cref="IOrderStore"/> over the <c>orders</c> collection. The unique index on <see cref="Order.ReservationKey"/>
/// is what makes a reservation atomic on both backends: of any number of concurrent <see cref="AddAsync"/> calls for
/// one ticket exactly one is <see cref="WriteResult.Ok"/>, the rest <see cref="WriteResult.Duplicate"/>.
/// </summary>
public sealed class OrderStore(IDocumentCollection<Order> orders) : IOrderStore
{
    public const string CollectionName = "orders";
    public const string ReservationIndex = "reservation_unique";
    public const string ListIndex = "list";
    public const string PendingSlotIndex = "pending_slot_unique";

    /// <summary>
    /// The collection's indexes, and the list key of orders stored before it existed; runs once at start, before the
    /// service takes requests.
    /// </summary>
    public static async Task InitializeAsync(IDocumentCollection<Order> orders, CancellationToken cancellationToken)
    {
        await orders.EnsureIndexAsync(ReservationIndex, o => o.ReservationKey, unique: true, cancellationToken);
        await orders.EnsureIndexAsync(ListIndex, o => o.ListKey, unique: false, cancellationToken);
        foreach (var order in await orders.FindAsync(o => o.ListKey == null || o.PendingSlot == null, null, cancellationToken))
        {
            // Orders stored before these keys existed. A pending one keeps a slot of its own outside the user's N
            // (it was placed under the old rules). A concurrent writer sets the keys itself: a lost race needs no retry.
            var version = order.Version;
            var slot = order.PendingSlot ?? (order.IsPending() ? $"legacy:{order.Id}" : Order.ReleasedKey(order.Id));
            await orders.ReplaceAsync(WithListKey(order with { PendingSlot = slot }), o => o.Version == version, cancellationToken);
        }

        await orders.EnsureIndexAsync(PendingSlotIndex, o => o.PendingSlot, unique: true, cancellationToken);
    }

    /// <summary>The order with its list key: ordinal order of one user's keys = placing order (time, then id).</summary>
    public static Order WithListKey(Order order) =>
        order with { ListKey = string.Create(CultureInfo.InvariantCulture, $"{order.UserId}:{order.CreatedAt.UtcTicks:D19}:{order.Id}") };

    public Task<Order?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        orders.GetAsync(id, cancellationToken);

    public async Task<bool> IsTicketHeldAsync(string ticketId, CancellationToken cancellationToken = default) =>
        (await orders.FindAsync(o => o.ReservationKey == ticketId, new FindOptions<Order> { Limit = 1 }, cancellationToken)).Count > 0;

    public async Task<IReadOnlyList<string?>> PendingSlotsAsync(string userId, int maxPending, CancellationToken cancellationToken = default)
    {
        // One range of the unique slot index (keys "{userId}#{n}"): the cost does not grow with the user's past orders.
        var prefix = Order.SlotKey(userId, 0)[..^1];
        var pending = await orders.FindAsync(o => o.PendingSlot!.StartsWith(prefix), new FindOptions<Order> { Limit = maxPending }, cancellationToken);
        return [.. pending.Select(o => o.PendingSlot)];
    }

    public Task<WriteResult> AddAsync(Order order, CancellationToken cancellationToken = default) =>
        orders.InsertAsync(WithListKey(order), cancellationToken);

    public Task<WriteResult> ReplaceAsync(Order current, Order next, CancellationToken cancellationToken = default)
    {
        if (next.Id != current.Id || next.Version != current.Version + 1)
        {
            throw new ArgumentException($"Order {next.Id} v{next.Version} is not the next version of {current.Id} v{current.Version}.", nameof(next));
        }

        var expected = current.Version;
        return orders.ReplaceAsync(WithListKey(next), o => o.Version == expected, cancellationToken);
    }

    public Task<IReadOnlyList<Order>> ListForUserAsync(string userId, int limit, int offset, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);

        // A prefix of the list index: both backends seek to the user's first key and read one page in index order.
        var prefix = userId + ":";
        return orders.FindAsync(
            o => o.ListKey!.StartsWith(prefix),
            new FindOptions<Order> { OrderBy = o => o.ListKey, Skip = offset, Limit = limit },
            cancellationToken);
    }

    public Task<IReadOnlyList<Order>> ListForTicketAsync(string ticketId, CancellationToken cancellationToken = default) =>
        orders.FindAsync(o => o.TicketId == ticketId, null, cancellationToken);
}
