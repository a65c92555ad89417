using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Referrals.Data.Migrations.Postgres;

/// <summary>ADR 0083 on PostgreSQL: the outbox's open rows get an index of their own (<see cref="OutboxMigrations.PendingIndex"/>).</summary>
[DbContext(typeof(ReferralsDbContext))]
[Migration("20261206100000_PostgresOutboxPendingIndex")]
internal sealed class PostgresOutboxPendingIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.IndexPendingOutboxRows("referrals");

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.UnindexPendingOutboxRows("referrals");
}
