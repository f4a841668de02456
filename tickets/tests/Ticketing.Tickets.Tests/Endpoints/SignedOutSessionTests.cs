using System.Net;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Web;
using Ticketing.Tickets.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ticketing.Tickets.Tests.Endpoints;

/// <summary>A token revoked by sign-out (auth writes the revoked-sessions bucket) is refused here within 1 s (decision 0011).</summary>
public sealed class SignedOutSessionTests(TicketsAppFixture fixture, ITestOutputHelper output) : IClassFixture<TicketsAppFixture>
{
    [Fact]
    public async Task RevokedToken_GetsA401Within1s_TheSameUsersOtherSessionStillWorks()
    {
        var tokens = TestUsers.Tokens(fixture.App.JwtKey);
        var userId = DocumentIds.New();
        var signedOut = tokens.Issue(userId, $"{userId}@test.dev");
        var other = tokens.Issue(userId, $"{userId}@test.dev");
        var client = fixture.App.CreateAnonymousClient();
        async Task<HttpStatusCode> UpdateAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/tickets/{DocumentIds.New()}")
            {
                Content = Api.RawJson("""{"title":"Concert","price":10}"""),
            };
            request.Headers.Add("Cookie", $"session={token}");
            return (await client.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.NotFound, await UpdateAsync(signedOut));   // signed in: gets as far as the lookup

        await TestSessions.RevokeAsync(fixture.App.Nats.Url, signedOut);
        var elapsed = await TestSessions.TimeUntilRefusedAsync(() => UpdateAsync(signedOut), TimeSpan.FromSeconds(1));

        output.WriteLine($"refused {elapsed.TotalMilliseconds:F0} ms after the revocation was written");
        Assert.Equal(HttpStatusCode.NotFound, await UpdateAsync(other));
        client.DefaultRequestHeaders.Add("Cookie", $"session={other}");
        await client.CreateTicketAsync();
    }
}
