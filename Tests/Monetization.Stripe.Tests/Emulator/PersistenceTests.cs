namespace Monetization.Stripe.Tests.Emulator;

[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class PersistenceTests
{
    [Test]
    public async Task State_is_saved_to_the_file_and_reloaded_with_the_clock()
    {
        var path = Path.Combine(Path.GetTempPath(), $"stripe-emulator-{Guid.NewGuid():N}.json");
        try
        {
            string subscriptionId;
            long clock;
            await using (var first = await EmulatorHarness.StartAsync(path))
            {
                var price = await first.CreatePriceAsync(2000);
                (_, subscriptionId, _) = await first.SubscribeAsync((string)price["id"]!);
                await first.AdvanceAsync(TimeSpan.FromDays(3));
                clock = first.Now;
            }

            Assert.That(File.Exists(path), Is.True);
            await using var second = await EmulatorHarness.StartAsync(path);
            var subscription = await second.GetAsync($"v1/subscriptions/{subscriptionId}");
            var events = await second.GetAsync("v1/events", ("limit", "100"));
            Assert.Multiple(() =>
            {
                Assert.That((string?)subscription["status"], Is.EqualTo("active"));
                Assert.That(second.Now, Is.EqualTo(clock));
                Assert.That(events["data"]!.AsArray(), Has.Count.GreaterThan(10));
            });

            await second.AdvanceAsync(TimeSpan.FromDays(30));
            var invoices = await second.GetAsync("v1/invoices", ("subscription", subscriptionId));
            Assert.That(invoices["data"]!.AsArray(), Has.Count.EqualTo(2));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
