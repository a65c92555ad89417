using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Http;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.IntegrationEvents.Usage;
using Monetization.Platform.Tests.ThrowAwayModule;
using Monetization.TestKit;

namespace Monetization.Platform.Tests;

/// <summary>
/// Issue 21: the routes' catalog and the integration event registry are services built at a Host's start, not static
/// state, and the outbox reads its rows with its own JSON options rather than the HTTP API's.
/// </summary>
public sealed class RegistryTests
{
    [Test]
    public async Task Two_Hosts_in_one_process_keep_their_own_routes_and_event_types()
    {
        await using var notes = new NotesFactory();
        await using var plain = new MonetizationFactory();
        _ = notes.Server;
        _ = plain.Server;

        var withNotes = notes.Services.GetRequiredService<IntegrationEventRegistry>();
        var without = plain.Services.GetRequiredService<IntegrationEventRegistry>();
        Assert.That(withNotes.NameOf(typeof(NoteWritten)), Is.EqualTo("tests.note_written"));
        Assert.That(() => without.NameOf(typeof(NoteWritten)), Throws.InvalidOperationException, "the throw-away module's event is its Host's alone");
        Assert.That(without.NameOf(typeof(StripeCustomerLinked)), Is.EqualTo(withNotes.NameOf(typeof(StripeCustomerLinked))));

        var notesCatalog = notes.Services.GetRequiredService<ApiCatalog>();
        var plainCatalog = plain.Services.GetRequiredService<ApiCatalog>();
        Assert.That(notesCatalog, Is.Not.SameAs(plainCatalog));
        Assert.That(notesCatalog.All.Select(r => $"{r.Method} {r.Pattern}"), Is.EquivalentTo(plainCatalog.All.Select(r => $"{r.Method} {r.Pattern}")),
            "each Host describes every route it maps, once");
        Assert.That(plainCatalog.All.Select(r => r.Pattern), Does.Contain("/v1/usage/events"));
    }

    [Test]
    public void Outbox_rows_written_by_earlier_releases_read_back_with_the_outbox_own_JSON_options()
    {
        Assert.That(IntegrationEventRegistry.Json, Is.Not.SameAs(ApiJson.Options));
        Assert.That(IntegrationEventRegistry.Json.IsReadOnly, Is.True);

        // Payloads as the outbox stored them before issue 21 (snake_case, nulls written, ISO 8601 times with offset).
        var registry = IntegrationEventRegistry.Standard;
        var linked = registry.Deserialize("subscriptions.stripe_customer_linked",
            """{"event_id":"0b8f5f0e-3f55-4a36-9b8e-2f1d0c6a7e11","occurred_at":"2026-11-01T10:00:00+00:00","user_id":"ada@example.com","stripe_customer_id":"cus_1","email":null}""");
        Assert.That(linked, Is.EqualTo(new StripeCustomerLinked(Guid.Parse("0b8f5f0e-3f55-4a36-9b8e-2f1d0c6a7e11"), new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero), "ada@example.com", "cus_1", null)));

        var crossed = new UsageThresholdCrossed(Guid.NewGuid(), new DateTimeOffset(2026, 11, 2, 8, 30, 0, TimeSpan.Zero), "u1", "tokens", "2026-11", 80, 8_000, 10_000, Resolved: false);
        var stored = IntegrationEventRegistry.Serialize(crossed);
        Assert.That(stored, Does.Contain("\"user_id\":\"u1\"").And.Contain("\"resolved\":false").And.Contain("\"unlimited\":false"));
        Assert.That(registry.Deserialize(registry.NameOf(typeof(UsageThresholdCrossed)), stored), Is.EqualTo(crossed));
    }
}
