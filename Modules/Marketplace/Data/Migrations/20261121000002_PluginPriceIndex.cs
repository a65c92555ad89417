using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Monetization.Marketplace.Data.Migrations;

/// <summary>
/// Index on <c>Plugins.StripePriceId</c>: every paid invoice's lines are looked up by price (a proration line carries
/// only its price), which scanned the plugin table.
/// </summary>
[DbContext(typeof(MarketplaceDbContext))]
[Migration("20261121000002_PluginPriceIndex")]
internal sealed class PluginPriceIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateIndex("IX_Plugins_StripePriceId", "Plugins", "StripePriceId");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropIndex("IX_Plugins_StripePriceId", "Plugins");
}
