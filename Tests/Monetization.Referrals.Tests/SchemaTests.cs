using Monetization.Referrals.Data;
using Monetization.TestKit;

namespace Monetization.Referrals.Tests;

public sealed class SchemaTests
{
    [Test]
    public Task Migrations_match_the_model() => SchemaAssert.MigrationsMatchModelAsync(typeof(ReferralsDbContext));
}
