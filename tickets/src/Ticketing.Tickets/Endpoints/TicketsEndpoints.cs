using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Ticketing.Common.Auth;
using Ticketing.Common.Http;
using Ticketing.Common.Storage;
using Ticketing.Tickets.Data;
using Ticketing.Tickets.Domain;

namespace Ticketing.Tickets.Endpoints;

/// <summary>
/// <c>/api/tickets</c>: sell, list, show and edit tickets (docs/api.md §4). Errors come in the contract's order:
/// 401 (not signed in) before 400 (validation) before 404 (unknown or malformed id) before 403 (not the owner)
/// before 400 (the ticket is reserved).
/// </summary>
public static class TicketsEndpoints
{
    public const int DefaultLimit = Paging.DefaultLimit;
    public const int MaxLimit = Paging.MaxLimit;

    /// <summary>Longer than any list key (<c>available:</c>, 19 digits, a 24-character id); anything longer is not one of ours.</summary>
    public const int MaxCursorLength = 100;

    /// <summary>
    /// How often an edit that lost a compare-and-set race is tried again on the fresh ticket before giving up
    /// with 409. Each try re-checks every rule against the state it will actually replace.
    /// </summary>
    public const int MaxEditAttempts = 3;

    public const string ConflictMessage = "The ticket was changed by someone else at the same time; try again";

    public static RouteGroupBuilder MapTicketsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/tickets").WithTags("Tickets");

        group.MapPost("/", CreateAsync)
            .WithName("CreateTicket")
            .WithSummary("Puts a ticket up for sale")
            .RequireAuthorization()
            .WithValidation<CreateTicketRequest>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        group.MapGet("/", ListAsync)
            .WithName("ListTickets")
            .WithSummary("Tickets that can be bought (not reserved, not sold), newest first")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/{id}", GetAsync)
            .WithName("GetTicket")
            .WithSummary("One ticket, reserved or not")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPut("/{id}", UpdateAsync)
            .WithName("UpdateTicket")
            .WithSummary("The owner changes title and price of a ticket that is not reserved")
            .RequireAuthorization()
            .WithValidation<UpdateTicketRequest>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return group;
    }

    public static async Task<Created<TicketResponse>> CreateAsync(
        CreateTicketRequest request,
        ICurrentUser currentUser,
        ITicketStore store,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var ticket = Ticket.Create(request.Title!, request.Price!.Value, currentUser.Required.Id, timeProvider.GetUtcNow());
        var result = await store.AddAsync(ticket, cancellationToken);
        if (result != WriteResult.Ok)
        {
            // A fresh ObjectId cannot be taken; if it ever is, that is a bug, not the client's fault (500).
            throw new InvalidOperationException($"Storing new ticket {ticket.Id} failed: {result}");
        }

        return TypedResults.Created($"/api/tickets/{ticket.Id}", TicketResponse.From(ticket));
    }

    public static async Task<Ok<TicketResponse[]>> ListAsync(
        int? limit,
        int? offset,
        string? after,
        ITicketStore store,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        var (take, skip) = Paging.Validate(limit, offset);
        if (after is { Length: > MaxCursorLength })
        {
            throw new BadRequestException("Invalid value for 'after'", "after");
        }

        var tickets = await store.ListAvailableAsync(take, skip, after, cancellationToken);
        if (tickets.Count == take && tickets[^1].ListKey is { } last)
        {
            // The next page starts after this one's last ticket, whatever is listed or bought meanwhile (RFC 8288 link).
            var next = QueryString.Create(new KeyValuePair<string, string?>[] { new("limit", take.ToString(CultureInfo.InvariantCulture)), new("after", last) });
            response.Headers.Link = $"</api/tickets{next}>; rel=\"next\"";
        }

        return TypedResults.Ok(tickets.Select(TicketResponse.From).ToArray());
    }

    public static async Task<Ok<TicketResponse>> GetAsync(string id, ITicketStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(TicketResponse.From(await FindAsync(id, store, cancellationToken)));

    public static async Task<Ok<TicketResponse>> UpdateAsync(
        string id,
        UpdateTicketRequest request,
        ICurrentUser currentUser,
        ITicketStore store,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var user = currentUser.Required;
        for (var attempt = 1; ; attempt++)
        {
            var current = await FindAsync(id, store, cancellationToken);
            if (current.UserId != user.Id)
            {
                throw new ForbiddenException();
            }

            var next = current.Edit(request.Title!, request.Price!.Value, timeProvider.GetUtcNow());
            switch (await store.ReplaceAsync(current, next, cancellationToken))
            {
                case WriteResult.Ok:
                    return TypedResults.Ok(TicketResponse.From(next));
                case WriteResult.Conflict when attempt < MaxEditAttempts:
                    continue; // Someone (an order, the owner in another tab) changed it: check the rules again on the new state.
                case WriteResult.Conflict:
                    throw new ConflictException(ConflictMessage);
                case WriteResult.NotFound:
                    throw new NotFoundException();
                default:
                    throw new InvalidOperationException($"Replacing ticket {id} failed unexpectedly");
            }
        }
    }

    /// <summary>The ticket, or 404 for an unknown or malformed id (a malformed id is not the client's 400: no such ticket exists).</summary>
    private static async Task<Ticket> FindAsync(string id, ITicketStore store, CancellationToken cancellationToken) =>
        DocumentIds.IsValid(id) && await store.GetAsync(id, cancellationToken) is { } ticket
            ? ticket
            : throw new NotFoundException();
}
