using Monetization.BuildingBlocks.Data;
using Monetization.Platform.Tests.ThrowAwayModule;
using Monetization.TestKit;

namespace Monetization.Platform.Tests;

public sealed class SchemaTests
{
    [Test]
    public Task Platform_migrations_match_the_model() => SchemaAssert.MigrationsMatchModelAsync(typeof(PlatformDbContext));

    [Test]
    public Task Outbox_and_inbox_migration_helper_matches_the_model() => SchemaAssert.MigrationsMatchModelAsync(typeof(NotesDbContext));
}
