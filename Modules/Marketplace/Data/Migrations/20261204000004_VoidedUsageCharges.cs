using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.Marketplace.Data;

namespace Monetization.Marketplace.Data.Migrations;

/// <summary>
/// Issue 20: a usage charge whose invoice was voided is kept as a tombstone (<c>UncollectedUsageCharges.VoidedAt</c>), not
/// shown in earnings and never payable, so a late or retried <c>UsageChargeBilled</c> of it cannot bring it back.
/// </summary>
[DbContext(typeof(MarketplaceDbContext))]
[Migration("20261204000004_VoidedUsageCharges")]
internal sealed class VoidedUsageCharges : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<long>("VoidedAt", "UncollectedUsageCharges", type: "INTEGER", nullable: true);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropColumn("VoidedAt", "UncollectedUsageCharges");
}
