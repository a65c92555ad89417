using Monetization.BuildingBlocks.Data;
using Monetization.Platform.Tests.ThrowAwayModule;
using Monetization.TestKit;

namespace Monetization.Platform.Tests;

public sealed class SchemaTests
{
    [TestCase(DatabaseProvider.Sqlite)]
    [TestCase(DatabaseProvider.Postgres)]
    public Task Platform_migrations_match_the_model(DatabaseProvider provider) => SchemaAssert.MigrationsMatchModelAsync(typeof(PlatformDbContext), provider);

    [TestCase(DatabaseProvider.Sqlite)]
    [TestCase(DatabaseProvider.Postgres)]
    public Task Outbox_and_inbox_migration_helper_matches_the_model(DatabaseProvider provider) => SchemaAssert.MigrationsMatchModelAsync(typeof(NotesDbContext), provider);
}
