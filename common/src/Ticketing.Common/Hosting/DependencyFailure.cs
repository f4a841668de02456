using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Ticketing.Common.Hosting;

/// <summary>
/// A dependency (the service's database, NATS, another service) is unreachable or timed out. Throw it from a
/// store or client decorator when the failure says nothing about the message or request being handled.
/// </summary>
public sealed class DependencyUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Tells infrastructure failures (a dependency down or timing out: the same work may succeed shortly) from
/// everything else (a bug, a bad message). One rule for both callers: the error handler answers 503 with
/// Retry-After for them, and the event consumer holds the message and pauses instead of counting the failure
/// toward parking it.
/// </summary>
public static class DependencyFailure
{
    /// <summary>True when <paramref name="exception"/> (or one it wraps) is a dependency being down or timing out.</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (IsTransientItself(current))
            {
                return true;
            }

            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsTransient))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTransientItself(Exception exception) => exception switch
    {
        DependencyUnavailableException => true,
        // MongoDB: connection refused/reset, no server selectable in time, an election in progress.
        MongoDB.Driver.MongoConnectionException => true,
        MongoDB.Driver.MongoNotPrimaryException => true,
        MongoDB.Driver.MongoNodeIsRecoveringException => true,
        MongoDB.Driver.MongoExecutionTimeoutException => true,
        MongoDB.Driver.MongoWaitQueueFullException => true,
        TimeoutException when exception.Source?.StartsWith("MongoDB", StringComparison.Ordinal) == true => true,
        // NATS: not connected, nobody answered a request or publish in time.
        NatsNoRespondersException or NatsNoReplyException or NatsConnectionFailedException or NatsTimeoutException => true,
        NatsJSPublishNoResponseException or NatsJSApiNoResponseException or NatsJSConnectionException or NatsJSTimeoutException => true,
        // Another service over HTTP: unreachable or answering 5xx.
        HttpRequestException http => http.StatusCode is null || (int)http.StatusCode >= 500,
        _ => false,
    };
}
