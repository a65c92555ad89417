using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Subscriptions.Data;
using Monetization.TestKit;

namespace Monetization.Subscriptions.Tests.Features;

/// <summary>
/// Concurrent deliveries, as Stripe sends them under load: the intake stores them in shared transactions, and every
/// answer still means what it says (processed once, duplicates changing nothing, a bad event failing alone).
/// </summary>
public sealed class WebhookBurstTests : SubscriptionsTestBase
{
    private const int Users = 24;

    private readonly LogSink _log = new();

    protected override void Configure(MonetizationFactory factory) =>
        factory.WithSetting("Stripe:WebhookSecrets:0", "whsec_test_primary_secret_0001").WithServices(s => s.AddSingleton<ILoggerProvider>(_log));

    [Test]
    public async Task A_burst_of_deliveries_with_duplicates_and_a_bad_event_is_processed_exactly_once_each()
    {
        var checkout = SharedStripeSamples.Event("checkout.session.completed.subscription_paid");
        var paid = SharedStripeSamples.Event("invoice.paid");
        var links = await Task.WhenAll(Enumerable.Range(0, Users).Select(i => PostAsync(ForUser(checkout, i, $"evt_burst_checkout_{i:D3}"))));
        Assert.That(links, Is.All.EqualTo("processed"));
        Assert.That(_log.From(typeof(Subscriptions.Features.HandleStripeEvents.HandleStripeEvents).FullName!), Is.Empty,
            "deliveries that all apply cleanly are stored together, never one by one (a batch query EF Core cannot translate falls back silently otherwise)");

        // Rows stored by a shared transaction read back through the model as a lone delivery's would.
        var created = DateTimeOffset.FromUnixTimeSeconds(JsonNode.Parse(checkout)!["created"]!.GetValue<long>());
        var rows = await Factory.QueryAsync<SubscriptionsDbContext, List<Domain.StripeEventRecord>>(db =>
            db.StripeEvents.AsNoTracking().Where(e => e.Id.StartsWith("evt_burst_checkout_")).ToListAsync());
        Assert.That(rows, Has.Count.EqualTo(Users));
        Assert.That(rows, Has.All.Matches<Domain.StripeEventRecord>(e =>
            e.Type == "checkout.session.completed" && e.Status == "processed" && e.Attempts == 1 && e.LastError == null
            && e.NextAttemptAt == null && e.ProcessedAt != null && e.ReceivedAt.Offset == TimeSpan.Zero && e.Created == created
            && !e.Livemode && e.Account == null && e.ObjectId != null && e.ObjectId.StartsWith("cs_", StringComparison.Ordinal)
            && e.Payload.Contains(e.Id, StringComparison.Ordinal)));

        // Each user's invoice.paid twice (a redelivery racing the first), plus one event for a customer nobody linked.
        var burst = Enumerable.Range(0, Users).SelectMany(i => new[] { ForUser(paid, i, $"evt_burst_paid_{i:D3}"), ForUser(paid, i, $"evt_burst_paid_{i:D3}") })
            .Append(ForUser(paid, 999, "evt_burst_stranger"))
            .ToList();
        var answers = await Task.WhenAll(burst.Select(PostAsync));

        Assert.Multiple(() =>
        {
            for (var i = 0; i < Users; i++)
            {
                Assert.That(new[] { answers[2 * i], answers[(2 * i) + 1] }, Is.EquivalentTo(new[] { "processed", "duplicate" }), $"user {i}: one delivery processed, the other a duplicate");
            }

            Assert.That(answers[^1], Is.EqualTo("failed"), "the unknown customer's event fails on its own");
        });

        var firstPaid = await Factory.OutboxEventsAsync<FirstPaidTransition>();
        Assert.That(firstPaid.Select(e => e.UserId), Is.EquivalentTo(Enumerable.Range(0, Users).Select(i => $"user_b{i}")), "one first paid transition per user");
        Assert.That((await Factory.OutboxEventsAsync<InvoicePaid>()).Count(e => e.UserId.StartsWith("user_b", StringComparison.Ordinal)), Is.EqualTo(Users));
        var stored = await Factory.QueryAsync<SubscriptionsDbContext, Dictionary<string, string>>(db =>
            db.StripeEvents.Where(e => e.Id.StartsWith("evt_burst_")).ToDictionaryAsync(e => e.Id, e => e.Status));
        Assert.Multiple(() =>
        {
            Assert.That(stored, Has.Count.EqualTo((2 * Users) + 1), "each event stored once");
            Assert.That(stored["evt_burst_stranger"], Is.EqualTo("failed"));
            Assert.That(stored.Where(s => s.Key != "evt_burst_stranger").Select(s => s.Value), Is.All.EqualTo("processed"));
        });
        var sub = await GetSubscriptionAsync("user_b7");
        Assert.That(sub["stripe_customer_id"]!.GetValue<string>(), Is.EqualTo("cus_burst00007"));
    }

    [Test]
    public async Task Integration_events_get_version_7_ids_that_sort_by_when_the_events_happened()
    {
        var checkout = SharedStripeSamples.Event("checkout.session.completed.subscription_paid");
        var paid = SharedStripeSamples.Event("invoice.paid");
        for (var i = 0; i < 3; i++)
        {
            Assert.That(await PostAsync(ForUser(checkout, i, $"evt_order_checkout_{i}")), Is.EqualTo("processed"));
            Factory.Clock.Advance(TimeSpan.FromSeconds(1));
            Assert.That(await PostAsync(ForUser(paid, i, $"evt_order_paid_{i}")), Is.EqualTo("processed"));
            Factory.Clock.Advance(TimeSpan.FromMilliseconds(3));
        }

        var rows = await Factory.QueryAsync<SubscriptionsDbContext, List<(Guid Id, DateTimeOffset OccurredAt)>>(async db =>
            (await db.Outbox.AsNoTracking().OrderBy(m => m.Sequence).Select(m => new { m.EventId, m.OccurredAt }).ToListAsync())
                .ConvertAll(m => (m.EventId, m.OccurredAt)));
        Assert.That(rows.Select(r => r.OccurredAt.ToUnixTimeMilliseconds()).Distinct().Count(), Is.GreaterThanOrEqualTo(6), "the events of six deliveries, at six different times");
        Assert.Multiple(() =>
        {
            foreach (var (id, occurredAt) in rows)
            {
                Assert.That(id.Version, Is.EqualTo(7), $"{id}: a version 7 UUID (RFC 9562)");
                Assert.That(Convert.ToInt64(id.ToString("N")[..12], 16), Is.EqualTo(occurredAt.ToUnixTimeMilliseconds()), $"{id}: its leading 48 bits are the event's time in Unix milliseconds");
            }

            // Stored as text (EF Core's SQLite form), so the indexes keep them in ordinal order: a later event sorts after an earlier one.
            var byId = rows.OrderBy(r => r.Id.ToString("D").ToUpperInvariant(), StringComparer.Ordinal).Select(r => r.OccurredAt).ToList();
            Assert.That(byId, Is.Ordered, "ids in their stored order follow the events' times");
            Assert.That(rows.Select(r => r.Id).Distinct().Count(), Is.EqualTo(rows.Count), "unique, also within one millisecond");
        });
    }

    /// <summary>The sample with its customer, user, subscription and invoice made user <paramref name="i"/>'s, and a new event id.</summary>
    private static string ForUser(string sample, int i, string eventId)
    {
        var text = sample.Replace("cus_QXg1o8vcGmoR32", $"cus_burst{i:D5}", StringComparison.Ordinal)
            .Replace("\"user_42\"", $"\"user_b{i}\"", StringComparison.Ordinal)
            .Replace("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw", $"sub_burst{i:D5}", StringComparison.Ordinal)
            .Replace("in_1Pgc6tB7WZ01zgkWu9fdqL6I", $"in_burst{i:D5}", StringComparison.Ordinal);
        var node = JsonNode.Parse(text)!;
        node["id"] = eventId;
        return node.ToJsonString();
    }

    private async Task<string> PostAsync(string body)
    {
        using var response = await Factory.PostStripeWebhookAsync(body);
        var json = await response.ReadJsonAsync();
        return json["status"]!.GetValue<string>();
    }
}
