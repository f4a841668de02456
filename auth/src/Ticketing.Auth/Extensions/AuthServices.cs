using Microsoft.AspNetCore.Identity;
using Ticketing.Auth.Data;
using Ticketing.Auth.Domain;
using Ticketing.Auth.Endpoints;
using Ticketing.Common.Auth;
using Ticketing.Common.Http;
using Ticketing.Common.Storage;

namespace Ticketing.Auth.Extensions;

public static class AuthServices
{
    /// <summary>
    /// Everything auth needs beyond the service defaults. Every setting is read here, at start, so a missing or
    /// invalid one stops the service with a message naming it. auth publishes no events: no messaging; with
    /// <c>NATS_URL</c> it shares revoked sessions through a key-value bucket.
    /// </summary>
    public static WebApplicationBuilder AddAuthServices(this WebApplicationBuilder builder)
    {
        builder.AddSessionAuthentication();             // JWT_KEY, JWT_LIFETIME_SECONDS, COOKIE_SECURE, NATS_URL (revoked sessions)
        builder.AddSessionRevocation();                 // sign-out writes the revoked-sessions bucket (NATS_URL)
        builder.AddDocumentStorage("auth");             // MONGO_URI, else the embedded store under DATA_DIR
        builder.AddAuthRateLimiting();                  // AUTH_RATE_LIMIT, AUTH_RATE_LIMIT_WINDOW_SECONDS

        var services = builder.Services;
        services.AddDocumentCollection<User>(UserStore.CollectionName, UserStore.InitializeAsync);
        services.AddSingleton<IUserStore, UserStore>();
        services.Configure<PasswordHasherOptions>(o =>
        {
            o.CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3;   // PBKDF2-HMAC-SHA512
            o.IterationCount = PasswordHashing.Iterations;
        });
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<PasswordHashing>();
        services.AddSingleton(SigninThrottleSettings.From(builder.Configuration));   // SIGNIN_THROTTLE_*
        services.AddSingleton<SigninThrottle>();
        services.AddSingleton<Accounts>();
        services.AddSingleton<UserSessions>();
        services.AddRequestValidators<SignupRequestValidator>();
        return builder;
    }
}
