using Monetization.Usage.Domain;
using Monetization.Usage.Features.IngestUsageEvents;
using Monetization.Usage.Features.ListUsageEvents;
using Mapster;

namespace Monetization.Usage.Tests;

/// <summary>The module's Mapster configuration (ADR 0003): strict, compiled, lists handed over, stored JSON answered as JSON.</summary>
public sealed class MappingTests
{
    [Test]
    public void The_configuration_compiles_with_every_member_mapped() =>
        Assert.DoesNotThrow(() => UsageMapping.Config.Compile());

    [Test]
    public void An_ingestion_body_hands_its_event_list_over_without_copying_it_so_ingestion_stays_hand_mapped()
    {
        var events = new List<IngestUsageEvents.EventBody?> { null };
        Assert.That(new IngestUsageEvents.Body(events).ToRequest().Events, Is.SameAs(events));
    }

    [Test]
    public void A_stored_event_answers_its_properties_as_the_json_it_was_sent_as()
    {
        var at = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        var record = new UsageEventRecord { EventId = "e1", UserId = "u1", Meter = "tokens", Quantity = 5, Timestamp = at, Period = "2026-12", Properties = """{"model":"gpt-x"}""", ReceivedAt = at };
        var view = record.Adapt<ListUsageEvents.EventView>(UsageMapping.Config);
        Assert.That(view.Properties?.GetProperty("model").GetString(), Is.EqualTo("gpt-x"));
        Assert.That((view.EventId, view.Quantity, view.Period), Is.EqualTo(("e1", 5L, "2026-12")));
        Assert.That(new UsageEventRecord { EventId = "e2", UserId = "u1", Meter = "tokens", Quantity = 1, Timestamp = at, Period = "2026-12", ReceivedAt = at }
            .Adapt<ListUsageEvents.EventView>(UsageMapping.Config).Properties, Is.Null);
    }
}
