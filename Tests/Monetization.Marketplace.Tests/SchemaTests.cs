using Monetization.Marketplace.Data;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

public sealed class SchemaTests
{
    [Test]
    public Task Migrations_match_the_model() => SchemaAssert.MigrationsMatchModelAsync(typeof(MarketplaceDbContext));
}
