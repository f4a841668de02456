using Ticketing.Common.Auth;
using Ticketing.Common.Events;
using Ticketing.Common.Hosting;
using Ticketing.Common.Http;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Orders.Data;
using Ticketing.Orders.Domain;
using Ticketing.Orders.Endpoints;
using Ticketing.Orders.Events;

namespace Ticketing.Orders.Extensions;

public static class OrdersServices
{
    public const string ServiceName = "orders";

    /// <summary>
    /// Everything orders needs besides the service defaults: settings, session auth, storage (orders with their
    /// outbox, the ticket replica), NATS JetStream, one durable consumer per handled event, request validators.
    /// Settings: <c>JWT_KEY</c>, <c>NATS_URL</c>, <c>MONGO_URI</c> or <c>DATA_DIR</c>, <c>ORDER_EXPIRATION_WINDOW_SECONDS</c>,
    /// <c>ORDER_MAX_PENDING_PER_USER</c>, <c>ORDER_RATE_LIMIT</c>, <c>ORDER_RATE_LIMIT_WINDOW_SECONDS</c>.
    /// </summary>
    public static WebApplicationBuilder AddOrdersServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(ReadOptions(builder.Configuration));

        builder.AddSessionAuthentication();
        builder.AddOrdersRateLimiting();
        builder.AddDocumentStorage(ServiceName);
        builder.AddMessaging(ServiceName);

        // The unique reservation index exists before the first request: the initializer runs at start.
        services.AddOutboxCollection<Order>(OrderStore.CollectionName, OrderStore.InitializeAsync);
        services.AddDocumentCollection<TicketReplica>(TicketReplicaStore.CollectionName);
        services.AddSingleton<IOrderStore, OrderStore>();
        services.AddSingleton<ITicketReplicaStore, TicketReplicaStore>();

        services.AddEventHandler<TicketCreatedV1, TicketCreatedHandler>();
        services.AddEventHandler<TicketUpdatedV1, TicketUpdatedHandler>();
        services.AddEventHandler<ExpirationCompletedV1, ExpirationCompletedHandler>();
        services.AddEventHandler<PaymentCreatedV1, PaymentCreatedHandler>();

        services.AddRequestValidators<CreateOrderRequestValidator>();
        return builder;
    }

    /// <summary>Reads the settings; a bad value throws <see cref="InvalidSettingException"/> naming it, which stops the service at start.</summary>
    public static OrdersOptions ReadOptions(IConfiguration configuration) =>
        new(
            configuration.Seconds(OrdersOptions.ExpirationWindowSetting, OrdersOptions.DefaultExpirationWindow, 1, 24 * 3600),
            configuration.Int(OrdersOptions.MaxPendingPerUserSetting, OrdersOptions.DefaultMaxPendingPerUser, 1, 1000));
}
