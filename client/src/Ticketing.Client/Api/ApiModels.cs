namespace Ticketing.Client.Api;

// The APIs' JSON as this client reads it (only the fields the pages show). Statuses stay strings: the pages show
// whatever the services say, and a status added later is displayed rather than failing to parse.

/// <summary><c>GET /api/users/currentuser</c>: <c>{ currentUser: { id, email } | null }</c>.</summary>
public sealed record CurrentUserResponse(SignedInUser? CurrentUser);

/// <summary>The signed-in person.</summary>
public sealed record SignedInUser(string Id, string Email);

/// <summary>A ticket: <c>{ id, title, price, userId, version, orderId?, status }</c>.</summary>
public sealed record Ticket(string Id, string Title, decimal Price, string UserId, long Version, string? OrderId, string? Status);

/// <summary>An order with its ticket embedded.</summary>
public sealed record Order(string Id, string UserId, string Status, DateTimeOffset ExpiresAt, long Version, OrderTicket Ticket)
{
    /// <summary>The order's status names (orders service).</summary>
    public static class Statuses
    {
        public const string Created = "created";
        public const string AwaitingPayment = "awaiting:payment";
        public const string Cancelled = "cancelled";
        public const string Complete = "complete";
    }

    /// <summary>Still waiting for the buyer to pay (a payment may still be made).</summary>
    public bool IsPayable => Status is Statuses.Created or Statuses.AwaitingPayment;
}

public sealed record OrderTicket(string Id, string Title, decimal Price, long Version);

/// <summary><c>POST /api/payments</c> answer: <c>{ id, orderId, stripeId }</c>.</summary>
public sealed record Payment(string Id, string OrderId, string StripeId);
