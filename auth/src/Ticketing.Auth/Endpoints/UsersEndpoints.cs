using Microsoft.AspNetCore.Http.HttpResults;
using Ticketing.Common.Auth;
using Ticketing.Common.Http;

namespace Ticketing.Auth.Endpoints;

/// <summary>The auth API (docs/api.md, "auth"): signup, signin, signout and the current user, under <c>/api/users</c>.</summary>
public static class UsersEndpoints
{
    public static RouteGroupBuilder MapUsersEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users");

        // Every answer here is about one person's session; no cache or proxy may keep it.
        group.AddEndpointFilter(static (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return next(context);
        });

        group.MapPost("/signup", SignUpAsync)
            .WithName("SignUp")
            .WithSummary("Creates an account and signs it in (sets the session cookie).")
            .WithValidation<SignupRequest>()
            .RequireRateLimiting(SignupRateLimit)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/signin", SignInAsync)
            .WithName("SignIn")
            .WithSummary("Signs in with email and password (sets the session cookie).")
            .WithValidation<SigninRequest>()
            .RequireRateLimiting(SigninRateLimit)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/signout", SignOutAsync)
            .WithName("SignOut")
            .WithSummary("Signs out: expires the session cookie and revokes the session's token in every service.");

        group.MapGet("/currentuser", GetCurrentUser)
            .WithName("GetCurrentUser")
            .WithSummary("The signed-in user (from the session cookie or a bearer token), or null.");

        return group;
    }

    public const string EmailInUseMessage = "Email in use";
    public const string InvalidCredentialsMessage = "Invalid credentials";

    /// <summary>Rate-limiter policy names (the limiter itself is configured in Extensions/AuthRateLimiting).</summary>
    public const string SignupRateLimit = "signup";
    public const string SigninRateLimit = "signin";

    public static async Task<Created<UserResponse>> SignUpAsync(
        SignupRequest request,
        Accounts accounts,
        UserSessions sessions,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        // The validation filter has checked both fields.
        var user = await accounts.SignUpAsync(request.Email!, request.Password!, cancellationToken);
        if (user is null)
        {
            throw new BadRequestException(EmailInUseMessage);
        }

        sessions.Start(response, user);
        return TypedResults.Created((string?)null, new UserResponse(user.Id, user.Email));
    }

    public static async Task<Ok<UserResponse>> SignInAsync(
        SigninRequest request,
        Accounts accounts,
        UserSessions sessions,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        var user = await accounts.SignInAsync(request.Email!, request.Password!, cancellationToken);
        if (user is null)
        {
            throw new BadRequestException(InvalidCredentialsMessage);
        }

        sessions.Start(response, user);
        return TypedResults.Ok(new UserResponse(user.Id, user.Email));
    }

    public static async Task<Ok<SignedOutResponse>> SignOutAsync(UserSessions sessions, ICurrentUser current, HttpResponse response, CancellationToken cancellationToken)
    {
        await sessions.EndAsync(response, current.User, cancellationToken);
        return TypedResults.Ok(new SignedOutResponse());
    }

    public static Ok<CurrentUserResponse> GetCurrentUser(ICurrentUser current) =>
        TypedResults.Ok(new CurrentUserResponse(current.User is { } user
            ? new SessionInfo(user.Id, user.Email, user.IssuedAt.ToUnixTimeSeconds(), user.ExpiresAt.ToUnixTimeSeconds())
            : null));
}
