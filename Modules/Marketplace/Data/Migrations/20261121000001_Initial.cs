using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Marketplace.Data.Migrations;

/// <summary>Hand-written initial schema of the Marketplace module.</summary>
[DbContext(typeof(MarketplaceDbContext))]
[Migration("20261121000001_Initial")]
internal sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateOutboxAndInbox();

        migrationBuilder.CreateTable(
            name: "Developers",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                Name = t.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                Email = t.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                RevenueShareBps = t.Column<int>(type: "INTEGER", nullable: false),
                StripeAccountId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                PayoutsEnabled = t.Column<bool>(type: "INTEGER", nullable: false),
                ChargesEnabled = t.Column<bool>(type: "INTEGER", nullable: false),
                DetailsSubmitted = t.Column<bool>(type: "INTEGER", nullable: false),
                AccountUpdatedAt = t.Column<long>(type: "INTEGER", nullable: true),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_Developers", x => x.Id));
        migrationBuilder.CreateIndex("IX_Developers_StripeAccountId", "Developers", "StripeAccountId", unique: true);

        migrationBuilder.CreateTable(
            name: "Plugins",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                DeveloperId = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                Slug = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                Name = t.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                Description = t.Column<string>(type: "TEXT", maxLength: 5000, nullable: false),
                PricingModel = t.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                Amount = t.Column<long>(type: "INTEGER", nullable: true),
                Currency = t.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                UsageUnit = t.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                UnitAmountDecimal = t.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                StripeProductId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                StripePriceId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                Status = t.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                InstallCount = t.Column<long>(type: "INTEGER", nullable: false),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
                UpdatedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_Plugins", x => x.Id));
        migrationBuilder.CreateIndex("IX_Plugins_Slug", "Plugins", "Slug", unique: true);
        migrationBuilder.CreateIndex("IX_Plugins_Status_InstallCount_Id", "Plugins", ["Status", "InstallCount", "Id"]);
        migrationBuilder.CreateIndex("IX_Plugins_Status_Name_Id", "Plugins", ["Status", "Name", "Id"]);
        migrationBuilder.CreateIndex("IX_Plugins_DeveloperId_Status", "Plugins", ["DeveloperId", "Status"]);

        migrationBuilder.CreateTable(
            name: "Installs",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                PluginId = t.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                DeveloperId = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                UserId = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                PricingModel = t.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                Status = t.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                CheckoutSessionId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                CheckoutUrl = t.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                StripeSubscriptionItemId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                StripeSubscriptionId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
                ActivatedAt = t.Column<long>(type: "INTEGER", nullable: true),
                UninstalledAt = t.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_Installs", x => x.Id));
        migrationBuilder.CreateIndex("IX_Installs_PluginId_UserId", "Installs", ["PluginId", "UserId"], unique: true, filter: "\"UninstalledAt\" IS NULL");
        migrationBuilder.CreateIndex("IX_Installs_UserId_Status", "Installs", ["UserId", "Status"]);
        migrationBuilder.CreateIndex("IX_Installs_StripeSubscriptionItemId", "Installs", "StripeSubscriptionItemId");
        migrationBuilder.CreateIndex("IX_Installs_CheckoutSessionId", "Installs", "CheckoutSessionId");

        migrationBuilder.CreateTable(
            name: "Subscribers",
            columns: t => new
            {
                UserId = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                StripeCustomerId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                StripeSubscriptionId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                Status = t.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                Version = t.Column<long>(type: "INTEGER", nullable: false),
                FirstPaidAt = t.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_Subscribers", x => x.UserId));

        migrationBuilder.CreateTable(
            name: "RevenueEvents",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                SourceId = t.Column<string>(type: "TEXT", maxLength: 600, nullable: false),
                Kind = t.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                DeveloperId = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                PluginId = t.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                InstallId = t.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                UserId = t.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                Gross = t.Column<long>(type: "INTEGER", nullable: false),
                DeveloperShare = t.Column<long>(type: "INTEGER", nullable: false),
                PlatformShare = t.Column<long>(type: "INTEGER", nullable: false),
                Currency = t.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                RevenueShareBps = t.Column<int>(type: "INTEGER", nullable: false),
                Period = t.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                EarnedAt = t.Column<long>(type: "INTEGER", nullable: false),
                AvailableAt = t.Column<long>(type: "INTEGER", nullable: false),
                StripeInvoiceId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                StripeChargeId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                StripePaymentIntentId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                RefundOfEventId = t.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                RefundedGross = t.Column<long>(type: "INTEGER", nullable: false),
                PayoutId = t.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                TransferId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                TransferReversalId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                PaidAt = t.Column<long>(type: "INTEGER", nullable: true),
                BucketDay = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_RevenueEvents", x => x.Id));
        migrationBuilder.CreateIndex("IX_RevenueEvents_SourceId", "RevenueEvents", "SourceId", unique: true);
        migrationBuilder.CreateIndex("IX_RevenueEvents_DeveloperId_PaidAt_PayoutId_Currency", "RevenueEvents", ["DeveloperId", "PaidAt", "PayoutId", "Currency"]);
        migrationBuilder.CreateIndex("IX_RevenueEvents_PayoutId", "RevenueEvents", "PayoutId");
        migrationBuilder.CreateIndex("IX_RevenueEvents_StripeInvoiceId", "RevenueEvents", "StripeInvoiceId");
        migrationBuilder.CreateIndex("IX_RevenueEvents_StripeChargeId", "RevenueEvents", "StripeChargeId");
        migrationBuilder.CreateIndex("IX_RevenueEvents_StripePaymentIntentId", "RevenueEvents", "StripePaymentIntentId");

        migrationBuilder.CreateTable(
            name: "EarningsBuckets",
            columns: t => new
            {
                DeveloperId = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                Period = t.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                PluginId = t.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                Currency = t.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                AvailableOn = t.Column<long>(type: "INTEGER", nullable: false),
                Events = t.Column<long>(type: "INTEGER", nullable: false),
                Gross = t.Column<long>(type: "INTEGER", nullable: false),
                Refunded = t.Column<long>(type: "INTEGER", nullable: false),
                DeveloperShare = t.Column<long>(type: "INTEGER", nullable: false),
                PlatformShare = t.Column<long>(type: "INTEGER", nullable: false),
                DeveloperPaid = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_EarningsBuckets", x => new { x.DeveloperId, x.Period, x.PluginId, x.Currency, x.AvailableOn }));

        migrationBuilder.CreateTable(
            name: "InstallStats",
            columns: t => new
            {
                DeveloperId = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                Period = t.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                PluginId = t.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                Installs = t.Column<long>(type: "INTEGER", nullable: false),
                Uninstalls = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_InstallStats", x => new { x.DeveloperId, x.Period, x.PluginId }));

        migrationBuilder.CreateTable(
            name: "Payouts",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                DeveloperId = t.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                Period = t.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                Currency = t.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                Amount = t.Column<long>(type: "INTEGER", nullable: false),
                EventCount = t.Column<int>(type: "INTEGER", nullable: false),
                StripeAccountId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                IdempotencyKey = t.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                Status = t.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                TransferId = t.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                Attempts = t.Column<int>(type: "INTEGER", nullable: false),
                LastError = t.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                LeaseUntil = t.Column<long>(type: "INTEGER", nullable: true),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
                PaidAt = t.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_Payouts", x => x.Id));
        migrationBuilder.CreateIndex("IX_Payouts_DeveloperId_Period_Currency", "Payouts", ["DeveloperId", "Period", "Currency"], unique: true);
        migrationBuilder.CreateIndex("IX_Payouts_Status_Period", "Payouts", ["Status", "Period"]);
        migrationBuilder.CreateIndex("IX_Payouts_TransferId", "Payouts", "TransferId");
    }
}
