using System.Net;
using Ticketing.Common.Storage;
using Ticketing.Common.Testing.Web;
using Ticketing.Orders.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ticketing.Orders.Tests.Http;

/// <summary>A token revoked by sign-out (auth writes the revoked-sessions bucket) is refused here within 1 s (decision 0011).</summary>
public sealed class SignedOutSessionTests(OrdersAppFixture fixture, ITestOutputHelper output) : IClassFixture<OrdersAppFixture>
{
    [Fact]
    public async Task RevokedToken_GetsA401Within1s_TheSameUsersOtherSessionStillWorks()
    {
        var tokens = TestUsers.Tokens(fixture.App.JwtKey);
        var userId = DocumentIds.New();
        var signedOut = tokens.Issue(userId, $"{userId}@test.dev");
        var other = tokens.Issue(userId, $"{userId}@test.dev");
        var client = fixture.App.CreateAnonymousClient();
        async Task<HttpStatusCode> ListAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders");
            request.Headers.Authorization = new("Bearer", token);
            return (await client.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await ListAsync(signedOut));

        await TestSessions.RevokeAsync(fixture.App.Nats.Url, signedOut);
        var elapsed = await TestSessions.TimeUntilRefusedAsync(() => ListAsync(signedOut), TimeSpan.FromSeconds(1));

        output.WriteLine($"refused {elapsed.TotalMilliseconds:F0} ms after the revocation was written");
        Assert.Equal(HttpStatusCode.OK, await ListAsync(other));
    }
}
