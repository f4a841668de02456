using Ticketing.Common.Storage;
using Ticketing.Orders.Domain;

namespace Ticketing.Orders.Data;

/// <summary>
/// The orders collection, narrowed to what orders does with it. The unique index on
/// <see cref="Order.ReservationKey"/> is what makes a reservation atomic on both backends: of any number of
/// concurrent <see cref="InsertAsync"/> calls for one ticket exactly one is <see cref="WriteResult.Ok"/>,
/// the rest <see cref="WriteResult.Duplicate"/>.
/// </summary>
public sealed class OrderStore(IDocumentCollection<Order> orders)
{
    public const string CollectionName = "orders";
    public const string ReservationIndex = "reservation_unique";
    public const string UserIndex = "user";

    /// <summary>The collection's indexes; runs once at start, before the service takes requests.</summary>
    public static async Task InitializeAsync(IDocumentCollection<Order> orders, CancellationToken cancellationToken)
    {
        await orders.EnsureIndexAsync(ReservationIndex, o => o.ReservationKey, unique: true, cancellationToken);
        await orders.EnsureIndexAsync(UserIndex, o => o.UserId, unique: false, cancellationToken);
    }

    public Task<Order?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        orders.GetAsync(id, cancellationToken);

    /// <summary>
    /// A fast answer for the common case ("someone holds this ticket"). Only a hint: two buyers can both see
    /// false; the unique index decides between them.
    /// </summary>
    public async Task<bool> IsTicketHeldAsync(string ticketId, CancellationToken cancellationToken = default) =>
        (await orders.FindAsync(o => o.ReservationKey == ticketId, new FindOptions<Order> { Limit = 1 }, cancellationToken)).Count > 0;

    /// <summary>Stores a new order and with it its reservation; <see cref="WriteResult.Duplicate"/> when a live order holds the ticket.</summary>
    public Task<WriteResult> InsertAsync(Order order, CancellationToken cancellationToken = default) =>
        orders.InsertAsync(order, cancellationToken);

    /// <summary>Writes <paramref name="next"/> only if the stored order is still at <paramref name="current"/>'s version.</summary>
    public Task<WriteResult> SaveAsync(Order next, Order current, CancellationToken cancellationToken = default)
    {
        if (next.Id != current.Id || next.Version != current.Version + 1)
        {
            throw new ArgumentException($"Order {next.Id} v{next.Version} is not the next version of {current.Id} v{current.Version}.", nameof(next));
        }

        var expected = current.Version;
        return orders.ReplaceAsync(next, o => o.Version == expected, cancellationToken);
    }

    /// <summary>A user's orders in the order they were placed (oldest first).</summary>
    public async Task<IReadOnlyList<Order>> ForUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var found = await orders.FindAsync(o => o.UserId == userId, new FindOptions<Order> { OrderBy = o => o.CreatedAt }, cancellationToken);

        // Orders placed within the same clock tick keep their placing order through the id (time, then a counter).
        return [.. found.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id, StringComparer.Ordinal)];
    }

    /// <summary>Every order ever placed for a ticket, live or not.</summary>
    public Task<IReadOnlyList<Order>> ForTicketAsync(string ticketId, CancellationToken cancellationToken = default) =>
        orders.FindAsync(o => o.TicketId == ticketId, null, cancellationToken);
}
