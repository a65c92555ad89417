using Monetization.TestKit;
using Monetization.Webhooks.Data;

namespace Monetization.Webhooks.Tests;

public sealed class SchemaTests
{
    [Test]
    public Task Migrations_match_the_model() => SchemaAssert.MigrationsMatchModelAsync(typeof(WebhooksDbContext));
}
