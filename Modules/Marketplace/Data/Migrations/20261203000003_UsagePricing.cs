using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Monetization.Marketplace.Data.Migrations;

/// <summary>
/// Issue 20: a usage-priced plugin may price input and output tokens apart (<c>Plugins.InputUnitAmountDecimal</c>,
/// <c>OutputUnitAmountDecimal</c>), and usage charges invoiced but not yet paid are kept apart from revenue
/// (<c>UncollectedUsageCharges</c>); a developer's revenue events are listed by time (<c>IX_RevenueEvents_DeveloperId_EarnedAt</c>).
/// </summary>
[DbContext(typeof(MarketplaceDbContext))]
[Migration("20261203000003_UsagePricing")]
internal sealed class UsagePricing : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>("InputUnitAmountDecimal", "Plugins", type: "TEXT", maxLength: 40, nullable: true);
        migrationBuilder.AddColumn<string>("OutputUnitAmountDecimal", "Plugins", type: "TEXT", maxLength: 40, nullable: true);
        migrationBuilder.CreateTable(
            name: "UncollectedUsageCharges",
            columns: t => new
            {
                ChargeId = t.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                DeveloperId = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                PluginId = t.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                UserId = t.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                UsageInvoiceId = t.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                Period = t.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                Gross = t.Column<long>(type: "INTEGER", nullable: false),
                DeveloperShare = t.Column<long>(type: "INTEGER", nullable: false),
                Currency = t.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                PaymentFailed = t.Column<bool>(type: "INTEGER", nullable: false),
                UpdatedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_UncollectedUsageCharges", x => x.ChargeId));
        migrationBuilder.CreateIndex("IX_UncollectedUsageCharges_DeveloperId_Period", "UncollectedUsageCharges", ["DeveloperId", "Period"]);
        migrationBuilder.CreateIndex("IX_RevenueEvents_DeveloperId_EarnedAt", "RevenueEvents", ["DeveloperId", "EarnedAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex("IX_RevenueEvents_DeveloperId_EarnedAt", "RevenueEvents");
        migrationBuilder.DropTable("UncollectedUsageCharges");
        migrationBuilder.DropColumn("InputUnitAmountDecimal", "Plugins");
        migrationBuilder.DropColumn("OutputUnitAmountDecimal", "Plugins");
    }
}
