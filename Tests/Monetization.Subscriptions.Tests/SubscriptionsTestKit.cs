using System.Text.Json.Nodes;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.TestKit;

namespace Monetization.Subscriptions.Tests;

/// <summary>Helpers shared by the Subscriptions tests: a fresh Host (with the in-process Stripe emulator) per test, and common flows.</summary>
public abstract class SubscriptionsTestBase
{
    protected MonetizationFactory Factory { get; private set; } = null!;

    protected HttpClient Admin { get; private set; } = null!;

    [SetUp]
    public void CreateHost()
    {
        Factory = new MonetizationFactory();
        Configure(Factory);
        Admin = Factory.CreateAdminClient();
    }

    [TearDown]
    public async Task DisposeHost()
    {
        Admin.Dispose();
        await Factory.DisposeAsync();
    }

    /// <summary>Settings before the Host starts.</summary>
    protected virtual void Configure(MonetizationFactory factory)
    {
    }

    protected async Task<JsonNode> StartCheckoutAsync(string userId, string plan = "premium", string cadence = "monthly", string email = "jenny@example.com")
    {
        using var response = await Admin.PostJsonAsync("/v1/subscriptions/checkout", new { user_id = userId, email, plan, cadence });
        return await response.ReadJsonAsync();
    }

    /// <summary>Checkout, pay on the emulator's page with <paramref name="card"/>, deliver every webhook and integration event.</summary>
    protected async Task<JsonNode> SubscribeAsync(string userId, string plan = "premium", string cadence = "monthly", string card = "4242424242424242")
    {
        var session = await StartCheckoutAsync(userId, plan, cadence);
        await Factory.CompleteCheckoutAsync(session["session_id"]!.GetValue<string>(), card);
        await Factory.SettleAsync();
        return await GetSubscriptionAsync(userId);
    }

    protected Task<JsonNode> GetSubscriptionAsync(string userId) => Admin.GetJsonAsync($"/v1/subscriptions/{userId}");

    protected async Task<IReadOnlyList<T>> EventsFor<T>(string userId, Func<T, string?> user)
        where T : Monetization.IntegrationEvents.IIntegrationEvent =>
        (await Factory.OutboxEventsAsync<T>()).Where(e => user(e) == userId).ToList();

    protected Task<IReadOnlyList<FirstPaidTransition>> FirstPaidOf(string userId) => EventsFor<FirstPaidTransition>(userId, e => e.UserId);

    protected Task<IReadOnlyList<SubscriptionChanged>> ChangesOf(string userId) => EventsFor<SubscriptionChanged>(userId, e => e.UserId);
}

/// <summary>Locates <c>../shared/stripe</c> (sibling of the folder holding Monetization.sln, or <c>MONETIZATION_SHARED_DIR</c>).</summary>
public static class SharedStripeSamples
{
    private static readonly string? Dir = Locate();

    /// <summary>The raw bytes-as-text of <c>samples/events/{name}.json</c>; ignores the test when the shared folder is absent.</summary>
    public static string Event(string name)
    {
        if (Dir is null)
        {
            Assert.Ignore("The Stripe samples (../shared/stripe, or $MONETIZATION_SHARED_DIR) are absent; these tests need them.");
        }

        return File.ReadAllText(Path.Combine(Dir!, "samples", "events", name + ".json"));
    }

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("MONETIZATION_SHARED_DIR");
        if (!string.IsNullOrWhiteSpace(env))
        {
            return new[] { Path.Combine(env, "stripe"), env }.FirstOrDefault(d => Directory.Exists(Path.Combine(d, "samples", "events")));
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Monetization.sln")))
            {
                var stripe = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "stripe"));
                return Directory.Exists(Path.Combine(stripe, "samples", "events")) ? stripe : null;
            }
        }

        return null;
    }
}
