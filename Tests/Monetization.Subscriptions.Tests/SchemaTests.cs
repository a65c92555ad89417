using Monetization.Subscriptions.Data;
using Monetization.TestKit;

namespace Monetization.Subscriptions.Tests;

public sealed class SchemaTests
{
    [Test]
    public Task Migrations_match_the_model() => SchemaAssert.MigrationsMatchModelAsync(typeof(SubscriptionsDbContext));
}
