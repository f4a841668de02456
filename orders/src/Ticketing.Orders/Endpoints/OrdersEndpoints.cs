using Microsoft.AspNetCore.Http.HttpResults;
using Ticketing.Common.Auth;
using Ticketing.Common.Http;
using Ticketing.Common.Storage;
using Ticketing.Orders.Data;
using Ticketing.Orders.Domain;

namespace Ticketing.Orders.Endpoints;

/// <summary><c>/api/orders</c>: place, list, read and cancel the signed-in user's orders.</summary>
public static class OrdersEndpoints
{
    public const string TicketReservedMessage = "Ticket is already reserved";

    /// <summary>The rate-limiter policy of order creation (per user; configured in Extensions/OrdersRateLimiting).</summary>
    public const string CreateRateLimit = "create-order";

    // An order changes state at most a few times (cancel, expire, pay), so a bounded re-read always settles.
    private const int MaxCancelAttempts = 5;

    public static RouteGroupBuilder MapOrdersEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/orders")
            .WithTags("Orders")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        group.MapPost("", CreateOrderAsync)
            .WithName("CreateOrder")
            .WithSummary("Reserve a ticket: the order holds it until expiresAt")
            .WithValidation<CreateOrderRequest>()
            .RequireRateLimiting(CreateRateLimit)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("", ListOrdersAsync)
            .WithName("ListOrders")
            .WithSummary("The caller's orders, oldest first, one page (limit 1..500, default 100; offset)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", GetOrderAsync)
            .WithName("GetOrder")
            .WithSummary("One of the caller's orders")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapDelete("/{id}", CancelOrderAsync)
            .WithName("CancelOrder")
            .WithSummary("Cancel one of the caller's orders and release its ticket")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static async Task<Created<OrderResponse>> CreateOrderAsync(
        CreateOrderRequest request,
        ICurrentUser currentUser,
        IOrderStore orders,
        ITicketReplicaStore tickets,
        OrdersOptions options,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var user = currentUser.Required;
        var ticketId = request.TicketId!; // validated: a well-formed id

        var ticket = await tickets.GetAsync(ticketId, cancellationToken);
        if (ticket is null)
        {
            throw new NotFoundException(); // unknown, or not replicated yet
        }

        // The fast answer for the usual case; the unique index below decides a race.
        if (await orders.IsTicketHeldAsync(ticketId, cancellationToken))
        {
            throw new BadRequestException(TicketReservedMessage);
        }

        // The unique reservation and pending-slot indexes decide races: a Duplicate is either the ticket (taken by
        // someone else meanwhile) or the slot (taken by this user's concurrent order: try the next free one).
        for (var attempt = 0; ; attempt++)
        {
            var slot = Order.FreeSlot(user.Id, await orders.PendingSlotsAsync(user.Id, options.MaxPendingPerUser, cancellationToken), options.MaxPendingPerUser);
            var order = Order.Create(user.Id, ticket, timeProvider.GetUtcNow(), options.ExpirationWindow, slot);
            switch (await orders.AddAsync(order, cancellationToken))
            {
                case WriteResult.Ok:
                    return TypedResults.Created($"/api/orders/{order.Id}", OrderResponse.From(order, ticket));
                case WriteResult.Duplicate when await orders.IsTicketHeldAsync(ticketId, cancellationToken):
                    throw new BadRequestException(TicketReservedMessage);
                case WriteResult.Duplicate when attempt < options.MaxPendingPerUser:
                    continue;
                case var result:
                    throw new InvalidOperationException($"Inserting order {order.Id} returned {result}.");
            }
        }
    }

    public static async Task<Ok<List<OrderResponse>>> ListOrdersAsync(
        int? limit,
        int? offset,
        ICurrentUser currentUser,
        IOrderStore orders,
        ITicketReplicaStore tickets,
        CancellationToken cancellationToken)
    {
        var (take, skip) = Paging.Validate(limit, offset);
        var user = currentUser.Required;
        var mine = await orders.ListForUserAsync(user.Id, take, skip, cancellationToken);
        var replicas = await tickets.GetManyAsync(mine.Select(o => o.TicketId), cancellationToken);
        return TypedResults.Ok(mine.Select(o => OrderResponse.From(o, replicas.GetValueOrDefault(o.TicketId))).ToList());
    }

    public static async Task<Ok<OrderResponse>> GetOrderAsync(
        string id,
        ICurrentUser currentUser,
        IOrderStore orders,
        ITicketReplicaStore tickets,
        CancellationToken cancellationToken)
    {
        var order = await LoadOwnedAsync(id, currentUser.Required, orders, cancellationToken);
        return TypedResults.Ok(OrderResponse.From(order, await tickets.GetAsync(order.TicketId, cancellationToken)));
    }

    public static async Task<NoContent> CancelOrderAsync(
        string id,
        ICurrentUser currentUser,
        IOrderStore orders,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var user = currentUser.Required;
        for (var attempt = 1; ; attempt++)
        {
            var order = await LoadOwnedAsync(id, user, orders, cancellationToken);
            var next = order.Cancel(timeProvider.GetUtcNow()); // 400 for a completed order
            if (next.Version == order.Version)
            {
                return TypedResults.NoContent(); // already cancelled: nothing changes, nothing is published
            }

            var result = await orders.ReplaceAsync(order, next, cancellationToken);
            if (result == WriteResult.Ok)
            {
                return TypedResults.NoContent();
            }

            if (attempt == MaxCancelAttempts)
            {
                throw new ConflictException("The order was changed by someone else at the same time; try again");
            }

            // Expired or paid meanwhile: decide again on what is stored now.
        }
    }

    /// <summary>The order, if it exists (404, also for a malformed id) and belongs to <paramref name="user"/> (403).</summary>
    private static async Task<Order> LoadOwnedAsync(string id, SessionUser user, IOrderStore orders, CancellationToken cancellationToken)
    {
        if (!DocumentIds.IsValid(id) || await orders.GetAsync(id, cancellationToken) is not { } order)
        {
            throw new NotFoundException();
        }

        return order.UserId == user.Id ? order : throw new ForbiddenException();
    }
}
