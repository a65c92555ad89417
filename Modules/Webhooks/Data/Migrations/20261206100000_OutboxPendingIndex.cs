using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Webhooks.Data.Migrations;

/// <summary>ADR 0083: the outbox's open rows get an index of their own (<see cref="OutboxMigrations.PendingIndex"/>).</summary>
[DbContext(typeof(WebhooksDbContext))]
[Migration("20261206100000_OutboxPendingIndex")]
internal sealed class OutboxPendingIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.IndexPendingOutboxRows();

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.UnindexPendingOutboxRows();
}
