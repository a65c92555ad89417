using Monetization.BuildingBlocks.Data;
using Monetization.Referrals.Data;
using Monetization.TestKit;

namespace Monetization.Referrals.Tests;

public sealed class SchemaTests
{
    [TestCase(DatabaseProvider.Sqlite)]
    [TestCase(DatabaseProvider.Postgres)]
    public Task Migrations_match_the_model(DatabaseProvider provider) => SchemaAssert.MigrationsMatchModelAsync(typeof(ReferralsDbContext), provider);
}
