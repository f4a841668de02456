using Ticketing.Common.Auth;
using Ticketing.Common.Events;
using Ticketing.Common.Hosting;
using Ticketing.Common.Http;
using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;
using Ticketing.Tickets.Data;
using Ticketing.Tickets.Domain;
using Ticketing.Tickets.Endpoints;
using Ticketing.Tickets.Events;

namespace Ticketing.Tickets.Extensions;

public static class TicketsServices
{
    public const string ServiceName = "tickets";

    /// <summary>
    /// Everything the tickets service needs besides the common defaults. Settings (environment variables):
    /// <c>JWT_KEY</c> (required), <c>NATS_URL</c> (required), <c>MONGO_URI</c> (optional; else the embedded
    /// store under <c>DATA_DIR</c>), plus the messaging and outbox tuning of Ticketing.Common. A missing or
    /// invalid setting stops the service at start with a message naming it.
    /// </summary>
    public static WebApplicationBuilder AddTicketsServices(this WebApplicationBuilder builder)
    {
        builder.AddSessionAuthentication();
        builder.AddDocumentStorage(ServiceName);
        builder.AddMessaging(ServiceName);

        builder.Services.AddOutboxCollection<Ticket>(TicketStore.CollectionName, TicketStore.InitializeAsync);
        builder.Services.AddSingleton(sp => new TicketListCache(
            sp.GetRequiredService<TimeProvider>(),
            builder.Configuration.Milliseconds(TicketListCache.LifetimeSetting, TicketListCache.DefaultLifetime, 0, 60_000)));
        builder.Services.AddSingleton<ITicketStore, TicketStore>();

        builder.Services.AddEventHandler<OrderCreatedV1, OrderCreatedHandler>();
        builder.Services.AddEventHandler<OrderCancelledV1, OrderCancelledHandler>();
        builder.Services.AddEventHandler<OrderCompletedV1, OrderCompletedHandler>();

        builder.Services.AddRequestValidators<CreateTicketRequestValidator>();
        return builder;
    }
}
