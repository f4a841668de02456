global using TicketsApp = Ticketing.Common.Testing.Web.ServiceApp<Program>;
global using TicketsAppFixture = Ticketing.Common.Testing.Web.ServiceAppFixture<Program>;
using Ticketing.Common.Storage;
using Ticketing.Tickets.Data;
using Ticketing.Tickets.Domain;

namespace Ticketing.Tickets.Tests.Infrastructure;

/// <summary>
/// The tickets service under test is the shared <c>ServiceApp</c> (in memory, on a real nats-server, messaging
/// tuned for tests); these are the few things only tickets' tests need from it: its store and changing a stored
/// ticket to arrange a test.
/// </summary>
public static class TicketsAppExtensions
{
    extension(TicketsApp app)
    {
        public ITicketStore Store => app.Service<ITicketStore>();

        /// <summary>The raw collection, for assertions about what is stored (how many, the outbox).</summary>
        public IDocumentCollection<Ticket> Collection => app.Service<IDocumentCollection<Ticket>>();

        /// <summary>Changes a stored ticket the way an event handler would (compare-and-set), for arranging a test.</summary>
        public async Task<Ticket> ChangeAsync(string id, Func<Ticket, Ticket> change)
        {
            var current = await app.Store.GetAsync(id) ?? throw new InvalidOperationException($"No ticket {id}");
            var next = change(current);
            var result = await app.Store.ReplaceAsync(current, next);
            return result == WriteResult.Ok ? next : throw new InvalidOperationException($"Arranging ticket {id} failed: {result}");
        }
    }
}
