// The whole platform on one machine, no Docker: `./run.sh` starts this. Each service is one block; a new one
// copies the shape of its neighbours (see dev/README.md, "Adding a service").
using Ticketing.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var platform = new LocalPlatform(builder);   // .data/, the shared JWT key, ports, settings passed through

// Infrastructure: plain executables (Debian's nats-server and redis-server), data under .data/.
var nats = platform.AddNats();                // JetStream, store in .data/nats
var redis = platform.AddRedis();              // AOF in .data/redis: the expiration jobs

// auth: users and sessions (/api/users)
platform.AddService<Projects.Ticketing_Auth>("auth")
    .WithSetting("COOKIE_SECURE", "false")   // plain http locally
    .WithSetting("AUTH_RATE_LIMIT", "1000")   // generous for local use and the e2e tests
    .WithNats(nats);                          // sign-out writes the revoked-sessions bucket (decision 0011)

// tickets: sell and edit (/api/tickets)
platform.AddService<Projects.Ticketing_Tickets>("tickets")
    .WithNats(nats);

// orders: reserve, cancel, expire, complete (/api/orders)
platform.AddService<Projects.Ticketing_Orders>("orders")
    .WithNats(nats)
    .WithSetting("ORDER_EXPIRATION_WINDOW_SECONDS");

// expiration: delayed jobs on Redis (no public routes; listed on /health; its read-only Hangfire dashboard is local only)
platform.AddService<Projects.Ticketing_Expiration>("expiration")
    .WithNats(nats)
    .WithRedis(redis, "REDIS_URL")
    .WithUrlForEndpoint("http", endpoint => new() { Url = "/hangfire", DisplayText = "Hangfire jobs (read-only)" });
// payments: pay for an order (/api/payments); simulated test cards unless ./run.sh's environment sets STRIPE_KEY
var stripeKey = platform.Setting("STRIPE_KEY", "STRIPE_KEY");
platform.AddService<Projects.Ticketing_Payments>("payments")
    .WithNats(nats)
    .WithSetting("STRIPE_KEY")
    .WithSetting("STRIPE_WEBHOOK_SECRET")
    .WithSetting("PAYMENTS_SIMULATED", stripeKey is null ? "true" : "false");
// client: the web pages (/ and everything no API route claims), calling the APIs through the gateway
platform.AddWebClient<Projects.Ticketing_Client>("client")
    .WithSetting("PAYMENTS_SIMULATED")
    .WithSetting("STRIPE_PUBLISHABLE_KEY");

// The local ingress on TICKETING_PORT (8080): routes to every service above, /health lists them all.
platform.AddGateway<Projects.Ticketing_Gateway>();

builder.Build().Run();
