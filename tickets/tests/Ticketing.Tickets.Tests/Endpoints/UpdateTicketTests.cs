using System.Net;
using System.Net.Http.Json;
using Ticketing.Common.Events;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Web;
using Ticketing.Tickets.Endpoints;
using Ticketing.Tickets.Tests.Infrastructure;

namespace Ticketing.Tickets.Tests.Endpoints;

/// <summary>
/// <c>PUT /api/tickets/{id}</c>, errors in the contract's order: 401; 400 validation; 404; 403 not the owner;
/// 400 <c>Cannot edit a reserved ticket</c>. A successful edit is version + 1.
/// </summary>
public sealed class UpdateTicketTests(TicketsAppFixture fixture) : IClassFixture<TicketsAppFixture>
{
    private TicketsApp App => fixture.App;

    [Fact]
    public async Task Update_Anonymous_Returns401()
    {
        var ticket = await App.CreateSignedInClient(out _).CreateTicketAsync();

        var response = await App.CreateAnonymousClient().PutTicketAsync(ticket.Id, new { title = "Changed", price = 5 });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ("Not authorized", null));
        Assert.Equal(0, (await App.Store.GetAsync(ticket.Id))!.Version);
    }

    [Fact]
    public async Task Update_AnonymousWithAnInvalidBodyAndUnknownId_Returns401First()
    {
        var response = await App.CreateAnonymousClient().PutTicketAsync("nope", new { title = "", price = -1 });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, ("Not authorized", null));
    }

    [Fact]
    public async Task Update_InvalidBodyForAnUnknownId_Returns400_BeforeLookingTheTicketUp()
    {
        var response = await App.CreateSignedInClient(out _).PutTicketAsync(DocumentIds.New(), new { title = "", price = -1 });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest,
            ("Title is required", "title"), ("Price must be greater than 0", "price"));
    }

    [Fact]
    public async Task Update_InvalidBodyForAnotherUsersTicket_Returns400_Before403()
    {
        var ticket = await App.CreateSignedInClient(out _).CreateTicketAsync();

        var response = await App.CreateSignedInClient(out _).PutTicketAsync(ticket.Id, new { title = "Fine", price = 1.999 });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Price must have at most 2 decimal places", "price"));
    }

    [Theory]
    [InlineData("""{ "title": "", "price": 10 }""", "Title is required", "title")]
    [InlineData("""{ "price": 10 }""", "Title is required", "title")]
    [InlineData("""{ "title": "Ok", "price": -10 }""", "Price must be greater than 0", "price")]
    [InlineData("""{ "title": "Ok" }""", "Price must be greater than 0", "price")]
    [InlineData("""{ "title": "Ok", "price": 10.125 }""", "Price must have at most 2 decimal places", "price")]
    [InlineData("""{ "title": "Ok", "price": 1000000.5 }""", "Price must be at most 1000000", "price")]
    public async Task Update_InvalidBody_Returns400_AndChangesNothing(string body, string message, string field)
    {
        var client = App.CreateSignedInClient(out _);
        var ticket = await client.CreateTicketAsync("Original", 10m);

        var response = await client.PutAsync($"/api/tickets/{ticket.Id}", Api.RawJson(body));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, (message, field));
        Assert.Equal(ticket, await client.GetTicketAsync(ticket.Id));
    }

    [Fact]
    public async Task Update_TitleOf2000Characters_Returns400()
    {
        var client = App.CreateSignedInClient(out _);
        var ticket = await client.CreateTicketAsync();

        var response = await client.PutTicketAsync(ticket.Id, new { title = new string('x', 2000), price = 10 });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Title must be at most 200 characters", "title"));
    }

    [Fact]
    public async Task Update_UnknownId_Returns404()
    {
        var response = await App.CreateSignedInClient(out _).PutTicketAsync(DocumentIds.New(), new { title = "Changed", price = 5 });

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ("Not Found", null));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0123456789ABCDEF01234567")]
    [InlineData("0123456789abcdef012345678")]
    public async Task Update_MalformedId_Returns404(string id)
    {
        var response = await App.CreateSignedInClient(out _).PutTicketAsync(id, new { title = "Changed", price = 5 });

        await response.AssertProblemAsync(HttpStatusCode.NotFound, ("Not Found", null));
    }

    [Fact]
    public async Task Update_AnotherUsersTicket_Returns403_AndChangesNothing()
    {
        var ticket = await App.CreateSignedInClient(out _).CreateTicketAsync("Mine", 10m);

        var response = await App.CreateSignedInClient(out _).PutTicketAsync(ticket.Id, new { title = "Stolen", price = 1 });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, ("Forbidden", null));
        Assert.Equal(ticket, await App.CreateAnonymousClient().GetTicketAsync(ticket.Id));
    }

    [Fact]
    public async Task Update_AnotherUsersReservedTicket_Returns403_Before400()
    {
        var ticket = await App.CreateSignedInClient(out _).CreateTicketAsync();
        await App.ChangeAsync(ticket.Id, t => t.Reserve(DocumentIds.New(), DateTimeOffset.UtcNow));

        var response = await App.CreateSignedInClient(out _).PutTicketAsync(ticket.Id, new { title = "Stolen", price = 1 });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, ("Forbidden", null));
    }

    [Fact]
    public async Task Update_ReservedTicket_Returns400_AndChangesNothing()
    {
        var client = App.CreateSignedInClient(out _);
        var ticket = await client.CreateTicketAsync("Reserved", 10m);
        var reserved = await App.ChangeAsync(ticket.Id, t => t.Reserve(DocumentIds.New(), DateTimeOffset.UtcNow));

        var response = await client.PutTicketAsync(ticket.Id, new { title = "Changed", price = 99 });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Cannot edit a reserved ticket", null));
        var stored = await client.GetTicketAsync(ticket.Id);
        Assert.Equal(("Reserved", 10m, reserved.Version, TicketStatus.Reserved), (stored.Title, stored.Price, stored.Version, stored.Status));
    }

    [Fact]
    public async Task Update_SoldTicket_Returns400()
    {
        var client = App.CreateSignedInClient(out _);
        var ticket = await client.CreateTicketAsync();
        var orderId = DocumentIds.New();
        await App.ChangeAsync(ticket.Id, t => t.Reserve(orderId, DateTimeOffset.UtcNow).MarkSold(orderId, DateTimeOffset.UtcNow));

        var response = await client.PutTicketAsync(ticket.Id, new { title = "Changed", price = 99 });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, ("Cannot edit a reserved ticket", null));
    }

    [Fact]
    public async Task Update_ReleasedTicket_CanBeEditedAgain()
    {
        var client = App.CreateSignedInClient(out _);
        var ticket = await client.CreateTicketAsync();
        var orderId = DocumentIds.New();
        await App.ChangeAsync(ticket.Id, t => t.Reserve(orderId, DateTimeOffset.UtcNow).Release(orderId, DateTimeOffset.UtcNow));

        var response = await client.PutTicketAsync(ticket.Id, new { title = "Back on sale", price = 8 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, (await response.Content.ReadFromJsonAsync<TicketResponse>(Api.Json))!.Version);
    }

    [Fact]
    public async Task Update_WhenValid_Returns200WithTheNewTicketAndBumpsTheVersion()
    {
        var client = App.CreateSignedInClient(out var userId);
        var ticket = await client.CreateTicketAsync("Old title", 10m);

        var response = await client.PutTicketAsync(ticket.Id, new { title = "  New title  ", price = 100.5m });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var updated = (await response.Content.ReadFromJsonAsync<TicketResponse>(Api.Json))!;
        var expected = new TicketResponse(ticket.Id, "New title", 100.5m, userId, 1, null, TicketStatus.Available);
        Assert.Equal(expected, updated);
        Assert.Equal(expected, await App.CreateAnonymousClient().GetTicketAsync(ticket.Id));
    }

    [Fact]
    public async Task Update_EachEdit_RaisesTheVersionByExactlyOne()
    {
        var client = App.CreateSignedInClient(out _);
        var ticket = await client.CreateTicketAsync("v0", 1m);
        var versions = new List<long> { ticket.Version };

        for (var i = 1; i <= 3; i++)
        {
            var response = await client.PutTicketAsync(ticket.Id, new { title = $"v{i}", price = i + 1 });
            versions.Add((await response.Content.ReadFromJsonAsync<TicketResponse>(Api.Json))!.Version);
        }

        Assert.Equal([0L, 1L, 2L, 3L], versions);
        Assert.Equal(("v3", 3L), ((await client.GetTicketAsync(ticket.Id)).Title, (await client.GetTicketAsync(ticket.Id)).Version));
    }
}
