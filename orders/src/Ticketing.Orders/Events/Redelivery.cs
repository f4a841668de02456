using Ticketing.Common.Messaging;

namespace Ticketing.Orders.Events;

/// <summary>How long a handler asks to wait before a message that cannot be applied yet comes back.</summary>
internal static class Redelivery
{
    /// <summary>The shortest wait for anything: a retry is never a hot loop.</summary>
    public static readonly TimeSpan Minimum = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan GapStep = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GapMaximum = TimeSpan.FromSeconds(15);

    /// <summary>
    /// For an event that arrived before the one it builds on (a version gap): about a second at first, a second
    /// more per delivery up to 15 s, so a late predecessor has time to arrive (about 45 s with the default
    /// NATS_MAX_DELIVER of 10) before the bounded deliveries park the message.
    /// </summary>
    public static TimeSpan ForGap(EventContext context) =>
        TimeSpan.FromTicks(Math.Min(GapStep.Ticks * Math.Max(1, context.Deliveries), GapMaximum.Ticks));

    /// <summary>Until <paramref name="due"/>, but at least <see cref="Minimum"/>.</summary>
    public static TimeSpan Until(DateTimeOffset due, DateTimeOffset now) =>
        due - now > Minimum ? due - now : Minimum;
}
