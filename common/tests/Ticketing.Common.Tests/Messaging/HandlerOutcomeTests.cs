using Ticketing.Common.Messaging;
using Ticketing.Common.Storage;

namespace Ticketing.Common.Tests.Messaging;

/// <summary>The one redelivery policy every handler uses (docs/service-guide.md, "Events").</summary>
public sealed class HandlerOutcomeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AfterWrite_MapsEachWriteResult_ToItsDecision()
    {
        Assert.Equal(HandlerOutcome.Ack, HandlerOutcome.AfterWrite(WriteResult.Ok, "ticket 1"));

        var conflict = HandlerOutcome.AfterWrite(WriteResult.Conflict, "ticket 1");
        Assert.Equal((HandlerDecision.Retry, (TimeSpan?)null), (conflict.Decision, conflict.Delay)); // the consumer's backoff
        Assert.Contains("ticket 1 changed", conflict.Reason, StringComparison.Ordinal);

        Assert.Equal(HandlerDecision.Park, HandlerOutcome.AfterWrite(WriteResult.NotFound, "ticket 1").Decision);
        Assert.Equal(HandlerDecision.Retry, HandlerOutcome.AfterWrite(WriteResult.Duplicate, "ticket 1").Decision);
    }

    [Fact]
    public void RetryAt_WaitsUntilTheDueTime_ButNeverLessThanTheMinimum()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), HandlerOutcome.RetryAt("early", Now.AddSeconds(3), Now).Delay);
        Assert.Equal(HandlerOutcome.MinimumDelay, HandlerOutcome.RetryAt("almost due", Now.AddMilliseconds(10), Now).Delay);
        Assert.Equal(HandlerOutcome.MinimumDelay, HandlerOutcome.RetryAt("overdue", Now.AddSeconds(-5), Now).Delay);
    }
}
