using Microsoft.Net.Http.Headers;

namespace Ticketing.Auth.Tests.Infrastructure;

/// <summary>The <c>Set-Cookie</c> headers of a response, parsed.</summary>
public static class SetCookie
{
    public static IReadOnlyList<string> Raw(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];

    /// <summary>The one <c>session</c> cookie the response sets.</summary>
    public static SetCookieHeaderValue Session(HttpResponseMessage response)
    {
        var cookies = Raw(response).Select(v => SetCookieHeaderValue.Parse(v)).Where(c => c.Name == "session").ToList();
        return Assert.Single(cookies);
    }

    public static string CookieHeader(string token) => $"session={token}";
}
