using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Monetization.Usage.Data.Migrations;

/// <summary>
/// Issue 20: usage-priced plugins' prices (<c>PluginPrices</c>), the price each invoice line applied
/// (<c>UsageInvoiceLines.PriceSource</c>, <c>InputUnitAmountDecimal</c>, <c>OutputUnitAmountDecimal</c>). No index on
/// <c>UsageEvents(UserId, Timestamp)</c>: maintaining it on every ingested event costs ingestion most of its throughput
/// (measured in docs/performance.md, session 6), so a user's raw events are read by scanning.
/// </summary>
[DbContext(typeof(UsageDbContext))]
[Migration("20261203000002_PluginPricing")]
internal sealed class PluginPricing : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>("PriceSource", "UsageInvoiceLines", type: "TEXT", nullable: false, defaultValue: "model");
        migrationBuilder.AddColumn<string>("InputUnitAmountDecimal", "UsageInvoiceLines", type: "TEXT", nullable: false, defaultValue: "0");
        migrationBuilder.AddColumn<string>("OutputUnitAmountDecimal", "UsageInvoiceLines", type: "TEXT", nullable: false, defaultValue: "0");
        migrationBuilder.CreateTable(
            name: "PluginPrices",
            columns: t => new
            {
                PluginId = t.Column<string>(type: "TEXT", nullable: false),
                Currency = t.Column<string>(type: "TEXT", nullable: false),
                UnitAmountDecimal = t.Column<string>(type: "TEXT", nullable: false),
                InputUnitAmountDecimal = t.Column<string>(type: "TEXT", nullable: true),
                OutputUnitAmountDecimal = t.Column<string>(type: "TEXT", nullable: true),
                PricedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_PluginPrices", x => x.PluginId));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("PluginPrices");
        migrationBuilder.DropColumn("PriceSource", "UsageInvoiceLines");
        migrationBuilder.DropColumn("InputUnitAmountDecimal", "UsageInvoiceLines");
        migrationBuilder.DropColumn("OutputUnitAmountDecimal", "UsageInvoiceLines");
    }
}
