using Monetization.Usage.Data;
using Monetization.TestKit;

namespace Monetization.Usage.Tests;

public sealed class SchemaTests
{
    [Test]
    public Task Migrations_match_the_model() => SchemaAssert.MigrationsMatchModelAsync(typeof(UsageDbContext));
}
