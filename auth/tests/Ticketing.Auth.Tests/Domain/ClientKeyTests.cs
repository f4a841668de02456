using System.Net;
using Ticketing.Auth.Extensions;

namespace Ticketing.Auth.Tests.Domain;

public sealed class ClientKeyTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::ffff", "2001:db8:1:2::/64")]
    public void ClientKey_IsTheIPv4Address_OrTheIPv6Slash64(string address, string expected) =>
        Assert.Equal(expected, AuthRateLimiting.ClientKey(IPAddress.Parse(address)));

    [Fact]
    public void ClientKey_WithoutAnAddress_IsOneSharedPartition() =>
        Assert.Equal("unknown", AuthRateLimiting.ClientKey(null));
}
