using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Stripe;
using Ticketing.Common.Auth;
using Ticketing.Common.Events;
using Ticketing.Common.Http;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Payments.Data;
using Ticketing.Payments.Domain;
using Ticketing.Payments.Endpoints;
using Ticketing.Payments.Events;
using Ticketing.Payments.Gateways;

namespace Ticketing.Payments.Extensions;

public static class PaymentsServices
{
    public const string ServiceName = "payments";
    public const string WebhookRateLimitPolicy = "stripe-webhook";

    /// <summary>
    /// Everything payments needs besides the service defaults: settings, session auth, storage (payments with their
    /// outbox, the order replica), the payment gateway, NATS JetStream, one durable consumer per handled event, the
    /// webhook's rate limit, request validators. Settings: <c>JWT_KEY</c>, <c>NATS_URL</c>, <c>MONGO_URI</c> or
    /// <c>DATA_DIR</c>, <c>STRIPE_KEY</c> or <c>PAYMENTS_SIMULATED=true</c>, <c>STRIPE_WEBHOOK_SECRET</c>,
    /// <c>STRIPE_API_BASE</c>, <c>PAYMENTS_WEBHOOK_RATE_LIMIT</c>, <c>PAYMENTS_WEBHOOK_RATE_LIMIT_WINDOW_SECONDS</c>.
    /// </summary>
    public static WebApplicationBuilder AddPaymentsServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = PaymentsOptions.From(builder.Configuration);
        services.AddSingleton(options);

        builder.AddSessionAuthentication();
        builder.AddDocumentStorage(ServiceName);
        builder.AddMessaging(ServiceName);

        // The unique claim index exists before the first request: the initializer runs at start.
        services.AddOutboxCollection<Payment>(PaymentStore.CollectionName, PaymentStore.InitializeAsync);
        services.AddDocumentCollection<OrderReplica>(OrderReplicaStore.CollectionName);
        services.AddSingleton<IPaymentStore, PaymentStore>();
        services.AddSingleton<IOrderReplicaStore, OrderReplicaStore>();

        AddGateway(services, options);
        services.AddScoped<PaymentProcessor>();

        services.AddEventHandler<OrderCreatedV1, OrderCreatedHandler>();
        services.AddEventHandler<OrderCancelledV1, OrderCancelledHandler>();
        services.AddEventHandler<OrderCompletedV1, OrderCompletedHandler>();
        services.AddEventHandler<OrderRefundRequestedV1, OrderRefundRequestedHandler>();

        AddWebhookRateLimit(services, options);
        services.AddRequestValidators<CreatePaymentRequestValidator>();
        return builder;
    }

    private static void AddGateway(IServiceCollection services, PaymentsOptions options)
    {
        if (options.Simulated)
        {
            services.AddSingleton<IPaymentGateway, SimulatedPaymentGateway>();
            return;
        }

        services.AddHttpClient(StripeHttpClient);
        services.AddSingleton<IStripeClient>(sp => new StripeClient(
            options.StripeKey!,
            httpClient: new SystemNetHttpClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(StripeHttpClient)),
            apiBase: options.StripeApiBase?.ToString().TrimEnd('/')));
        services.AddSingleton<IPaymentGateway, StripePaymentGateway>();
    }

    private const string StripeHttpClient = "stripe";

    /// <summary>The webhook is public (Stripe calls it, no session): limited per client address, 429 with Retry-After beyond.</summary>
    private static void AddWebhookRateLimit(IServiceCollection services, PaymentsOptions options) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(WebhookRateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.WebhookRateLimit,
                    Window = options.WebhookRateLimitWindow,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            limiter.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.WebhookRateLimitWindow;
                context.HttpContext.Response.Headers.RetryAfter =
                    Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return new ValueTask(ApiProblem.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests));
            };
        });
}
