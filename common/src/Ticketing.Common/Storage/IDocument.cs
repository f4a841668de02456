using Ticketing.Common.Outbox;

namespace Ticketing.Common.Storage;

/// <summary>A stored document: one aggregate, addressed by a string id (<see cref="DocumentIds"/>).</summary>
public interface IDocument
{
    string Id { get; }
}

/// <summary>
/// A document that carries the events its last changes caused and that are not published yet. Writing the
/// document writes its events in the same atomic write; the outbox publishes and then removes them.
/// </summary>
public interface IOutboxDocument : IDocument
{
    OutboxMessage[] Outbox { get; }
}
