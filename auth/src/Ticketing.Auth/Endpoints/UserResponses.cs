namespace Ticketing.Auth.Endpoints;

/// <summary>A user as the API shows it: never more than the id and the email.</summary>
public sealed record UserResponse(string Id, string Email);

/// <summary>The body of <c>GET /api/users/currentuser</c>: <c>currentUser</c> is null when nobody is signed in.</summary>
public sealed record CurrentUserResponse(SessionInfo? CurrentUser);

/// <summary>The signed-in user's session, as the course showed it: <c>iat</c> and <c>exp</c> in Unix seconds.</summary>
public sealed record SessionInfo(string Id, string Email, long Iat, long Exp);

/// <summary>The body of <c>POST /api/users/signout</c>: <c>{}</c>.</summary>
public sealed record SignedOutResponse;
