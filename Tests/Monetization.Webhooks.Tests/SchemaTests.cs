using Monetization.BuildingBlocks.Data;
using Monetization.TestKit;
using Monetization.Webhooks.Data;

namespace Monetization.Webhooks.Tests;

public sealed class SchemaTests
{
    [TestCase(DatabaseProvider.Sqlite)]
    [TestCase(DatabaseProvider.Postgres)]
    public Task Migrations_match_the_model(DatabaseProvider provider) => SchemaAssert.MigrationsMatchModelAsync(typeof(WebhooksDbContext), provider);
}
