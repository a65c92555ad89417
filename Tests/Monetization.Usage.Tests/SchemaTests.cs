using Monetization.BuildingBlocks.Data;
using Monetization.Usage.Data;
using Monetization.TestKit;

namespace Monetization.Usage.Tests;

public sealed class SchemaTests
{
    [TestCase(DatabaseProvider.Sqlite)]
    [TestCase(DatabaseProvider.Postgres)]
    public Task Migrations_match_the_model(DatabaseProvider provider) => SchemaAssert.MigrationsMatchModelAsync(typeof(UsageDbContext), provider);
}
