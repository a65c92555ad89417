using Monetization.BuildingBlocks.Data;
using Monetization.Marketplace.Data;
using Monetization.TestKit;

namespace Monetization.Marketplace.Tests;

public sealed class SchemaTests
{
    [TestCase(DatabaseProvider.Sqlite)]
    [TestCase(DatabaseProvider.Postgres)]
    public Task Migrations_match_the_model(DatabaseProvider provider) => SchemaAssert.MigrationsMatchModelAsync(typeof(MarketplaceDbContext), provider);
}
