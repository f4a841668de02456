using Microsoft.AspNetCore.Http.HttpResults;
using Ticketing.Auth.Domain;
using Ticketing.Auth.Extensions;
using Ticketing.Common.Auth;
using Ticketing.Common.Http;

namespace Ticketing.Auth.Endpoints;

/// <summary>The auth API (product.md §3): signup, signin, signout and the current user, under <c>/api/users</c>.</summary>
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
            .RequireRateLimiting(AuthRateLimiting.SignupPolicy)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/signin", SignInAsync)
            .WithName("SignIn")
            .WithSummary("Signs in with email and password (sets the session cookie).")
            .WithValidation<SigninRequest>()
            .RequireRateLimiting(AuthRateLimiting.SigninPolicy)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/signout", SignOut)
            .WithName("SignOut")
            .WithSummary("Signs out: expires the session cookie.");

        group.MapGet("/currentuser", GetCurrentUser)
            .WithName("GetCurrentUser")
            .WithSummary("The signed-in user (from the session cookie or a bearer token), or null.");

        return group;
    }

    public static async Task<Results<Created<UserResponse>, ProblemHttpResult>> SignUpAsync(
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
            return ApiProblem.BadRequest("Email in use");
        }

        sessions.Start(response, user);
        return TypedResults.Created((string?)null, new UserResponse(user.Id, user.Email));
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> SignInAsync(
        SigninRequest request,
        Accounts accounts,
        UserSessions sessions,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        var user = await accounts.SignInAsync(request.Email!, request.Password!, cancellationToken);
        if (user is null)
        {
            return ApiProblem.BadRequest("Invalid credentials");
        }

        sessions.Start(response, user);
        return TypedResults.Ok(new UserResponse(user.Id, user.Email));
    }

    public static Ok<SignedOutResponse> SignOut(UserSessions sessions, HttpResponse response)
    {
        sessions.End(response);
        return TypedResults.Ok(new SignedOutResponse());
    }

    public static Ok<CurrentUserResponse> GetCurrentUser(ICurrentUser current) =>
        TypedResults.Ok(new CurrentUserResponse(current.User is { } user
            ? new SessionInfo(user.Id, user.Email, user.IssuedAt.ToUnixTimeSeconds(), user.ExpiresAt.ToUnixTimeSeconds())
            : null));
}
