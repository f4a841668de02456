using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ticketing.Common.Events;

namespace Ticketing.Common.Tests.Events;

/// <summary>
/// The wire contract: every event round-trips against its checked-in sample, so renaming a property,
/// changing a type or an enum name fails here before it reaches another service.
/// </summary>
public sealed partial class EventContractTests
{
    public static TheoryData<string> Subjects() => [.. KnownEvents.All.Select(e => e.Subject)];

    [Theory]
    [MemberData(nameof(Subjects))]
    public void Sample_RoundTripsExactly(string subject)
    {
        var entry = KnownEvents.All.Single(e => e.Subject == subject);
        var sample = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "EventSamples", $"{subject}.json"));

        var decoded = JsonSerializer.Deserialize(sample, entry.Type, EventJson.Options);
        var encoded = JsonSerializer.Serialize(decoded, entry.Type, EventJson.Options);

        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(sample), JsonNode.Parse(encoded)),
            $"{entry.Type.Name} no longer matches its sample.\nSample:  {JsonNode.Parse(sample)!.ToJsonString()}\nEncoded: {encoded}");
    }

    [Fact]
    public void EverySample_BelongsToAnEvent_AndEveryEventHasOne()
    {
        var samples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "EventSamples"), "*.json")
            .Select(Path.GetFileNameWithoutExtension)
            .Order();
        Assert.Equal(KnownEvents.All.Select(e => e.Subject).Order(), samples);
    }

    [Fact]
    public void EveryEventType_HasItsOwnSubject_AndTheEightContractsAreAllThere()
    {
        Assert.Equal(KnownEvents.All.Count, KnownEvents.All.Select(e => e.Subject).Distinct().Count());
        Assert.Equal(
            ["ExpirationCompletedV1", "OrderCancelledV1", "OrderCompletedV1", "OrderCreatedV1", "OrderRefundRequestedV1", "PaymentCreatedV1", "TicketCreatedV1", "TicketUpdatedV1"],
            KnownEvents.All.Select(e => e.Type.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Subjects))]
    public void Subject_FollowsTheNamingRule_AndMatchesTheSchemaVersion(string subject)
    {
        var entry = KnownEvents.All.Single(e => e.Subject == subject);
        var match = SubjectRule().Match(subject);
        Assert.True(match.Success, $"{subject} is not ticketing.<aggregate>.<event>.v<schema>");
        Assert.Equal(entry.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), match.Groups["schema"].Value);
        Assert.EndsWith($"V{entry.SchemaVersion}", entry.Type.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageIds_AreDeterministic_AndDifferPerVersionAndKind()
    {
        var v1 = new TicketUpdatedV1("t1", 1, "a", 1m, "u", null, TicketStatus.Available);
        Assert.Equal(v1.MessageId, (v1 with { Title = "b" }).MessageId);
        Assert.NotEqual(v1.MessageId, (v1 with { Version = 2 }).MessageId);
        Assert.NotEqual(new OrderCancelledV1("o", 1, new("t")).MessageId, new OrderCompletedV1("o", 1, new("t")).MessageId);
    }

    [Theory]
    [MemberData(nameof(Subjects))]
    public void MessageId_StartsWithTheEventAndItsSchemaVersion_SoAV2IsNeverDeduplicatedWithAV1(string subject)
    {
        var entry = KnownEvents.All.Single(e => e.Subject == subject);
        var sample = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "EventSamples", $"{subject}.json"));
        var decoded = (IIntegrationEvent)JsonSerializer.Deserialize(sample, entry.Type, EventJson.Options)!;

        Assert.StartsWith(subject["ticketing.".Length..] + ":", decoded.MessageId, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageId_IsNotPartOfThePayload()
    {
        var json = JsonSerializer.Serialize(new PaymentCreatedV1("p", "o", "pi"), EventJson.Options);
        Assert.DoesNotContain("messageId", json, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("""{ "version": 0, "title": "t", "price": 1, "userId": "u" }""")]
    [InlineData("""{ "id": "t", "version": 0, "title": "t", "price": "1", "userId": "u" }""")]
    [InlineData("""{ "id": null, "version": 0, "title": "t", "price": 1, "userId": "u" }""")]
    public void MissingOrMistypedFields_AreUndecodable(string json)
    {
        Assert.ThrowsAny<JsonException>(() => EventJson.Deserialize<TicketCreatedV1>(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void NullableField_IsLeftOutWhenNull_AndReadBackAsNull()
    {
        var released = new TicketUpdatedV1("t1", 2, "a", 1m, "u", null, TicketStatus.Available);

        var json = EventJson.Serialize(released);

        Assert.DoesNotContain("orderId", System.Text.Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.Equal(released, EventJson.Deserialize<TicketUpdatedV1>(json));
    }

    [Fact]
    public void OrderStatus_AwaitingPayment_UsesTheContractName()
    {
        var json = JsonSerializer.Serialize(OrderStatus.AwaitingPayment, EventJson.Options);
        Assert.Equal("\"awaiting:payment\"", json);
    }

    [Fact]
    public void Times_AreWrittenInUtcWithZ()
    {
        var created = new OrderCreatedV1("o", 0, OrderStatus.Created, "u",
            new DateTimeOffset(2026, 11, 25, 13, 15, 0, TimeSpan.FromHours(1)), new OrderTicketV1("t", 5m));
        var json = JsonSerializer.Serialize(created, EventJson.Options);
        Assert.Contains("\"expiresAt\":\"2026-11-25T12:15:00Z\"", json, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^ticketing\.[a-z]+\.[a-z-]+\.v(?<schema>\d+)$")]
    private static partial Regex SubjectRule();
}
