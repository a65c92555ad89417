using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Usage.Data.Migrations;

/// <summary>Hand-written initial schema of the Usage module.</summary>
[DbContext(typeof(UsageDbContext))]
[Migration("20261121000001_Initial")]
internal sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateOutboxAndInbox();

        // The three hot tables of ingestion are clustered on their keys (WITHOUT ROWID): one b-tree write per row
        // instead of a table write plus a unique-index write (docs/modules/usage.md, "Ingestion hot path").
        migrationBuilder.Sql("""
            CREATE TABLE "UsageEvents" (
                "EventId" TEXT NOT NULL CONSTRAINT "PK_UsageEvents" PRIMARY KEY,
                "UserId" TEXT NOT NULL,
                "Meter" TEXT NOT NULL,
                "Quantity" INTEGER NOT NULL,
                "Timestamp" INTEGER NOT NULL,
                "Period" TEXT NOT NULL,
                "Properties" TEXT NULL,
                "ReceivedAt" INTEGER NOT NULL
            ) WITHOUT ROWID;
            """);
        migrationBuilder.Sql("""
            CREATE TABLE "UsageRollups" (
                "UserId" TEXT NOT NULL,
                "Period" TEXT NOT NULL,
                "Meter" TEXT NOT NULL,
                "Dimensions" TEXT NOT NULL,
                "Used" INTEGER NOT NULL,
                "InputTokens" INTEGER NOT NULL,
                "OutputTokens" INTEGER NOT NULL,
                "Events" INTEGER NOT NULL,
                "UpdatedAt" INTEGER NOT NULL,
                CONSTRAINT "PK_UsageRollups" PRIMARY KEY ("UserId", "Period", "Meter", "Dimensions")
            ) WITHOUT ROWID;
            """);
        migrationBuilder.Sql("""
            CREATE TABLE "UsageUniqueValues" (
                "UserId" TEXT NOT NULL,
                "Period" TEXT NOT NULL,
                "Meter" TEXT NOT NULL,
                "Dimensions" TEXT NOT NULL,
                "Value" TEXT NOT NULL,
                CONSTRAINT "PK_UsageUniqueValues" PRIMARY KEY ("UserId", "Period", "Meter", "Dimensions", "Value")
            ) WITHOUT ROWID;
            """);

        migrationBuilder.CreateTable(
            name: "UsageAccounts",
            columns: t => new
            {
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                Plan = t.Column<string>(type: "TEXT", nullable: false),
                PlanVersion = t.Column<long>(type: "INTEGER", nullable: false),
                ProjectsLimit = t.Column<long>(type: "INTEGER", nullable: true),
                DeploysLimit = t.Column<long>(type: "INTEGER", nullable: true),
                ApiCallsLimit = t.Column<long>(type: "INTEGER", nullable: true),
                TokensLimit = t.Column<long>(type: "INTEGER", nullable: true),
                StripeCustomerId = t.Column<string>(type: "TEXT", nullable: true),
                StripeSubscriptionId = t.Column<string>(type: "TEXT", nullable: true),
                UpdatedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_UsageAccounts", x => x.UserId));

        migrationBuilder.CreateTable(
            name: "ThresholdAlerts",
            columns: t => new
            {
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                Period = t.Column<string>(type: "TEXT", nullable: false),
                Meter = t.Column<string>(type: "TEXT", nullable: false),
                Threshold = t.Column<int>(type: "INTEGER", nullable: false),
                Used = t.Column<long>(type: "INTEGER", nullable: false),
                Limit = t.Column<long>(type: "INTEGER", nullable: false),
                CrossedAt = t.Column<long>(type: "INTEGER", nullable: false),
                ResolvedAt = t.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_ThresholdAlerts", x => new { x.UserId, x.Period, x.Meter, x.Threshold }));

        migrationBuilder.CreateTable(
            name: "QuotaAllocations",
            columns: t => new
            {
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                Resource = t.Column<string>(type: "TEXT", nullable: false),
                Key = t.Column<string>(type: "TEXT", nullable: false),
                AcquiredAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_QuotaAllocations", x => new { x.UserId, x.Resource, x.Key }));

        migrationBuilder.CreateTable(
            name: "QuotaSlotGrants",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", nullable: false),
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                Resource = t.Column<string>(type: "TEXT", nullable: false),
                Slots = t.Column<long>(type: "INTEGER", nullable: false),
                CheckoutSessionId = t.Column<string>(type: "TEXT", nullable: false),
                Amount = t.Column<long>(type: "INTEGER", nullable: false),
                Currency = t.Column<string>(type: "TEXT", nullable: false),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_QuotaSlotGrants", x => x.Id));
        migrationBuilder.CreateIndex("IX_QuotaSlotGrants_CheckoutSessionId", "QuotaSlotGrants", "CheckoutSessionId", unique: true);
        migrationBuilder.CreateIndex("IX_QuotaSlotGrants_UserId_Resource", "QuotaSlotGrants", ["UserId", "Resource"]);

        migrationBuilder.CreateTable(
            name: "UsageCheckouts",
            columns: t => new
            {
                SessionId = t.Column<string>(type: "TEXT", nullable: false),
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                Purpose = t.Column<string>(type: "TEXT", nullable: false),
                Package = t.Column<string>(type: "TEXT", nullable: true),
                Resource = t.Column<string>(type: "TEXT", nullable: true),
                Quantity = t.Column<long>(type: "INTEGER", nullable: false),
                Amount = t.Column<long>(type: "INTEGER", nullable: false),
                Currency = t.Column<string>(type: "TEXT", nullable: false),
                CreditExpiresAfterDays = t.Column<int>(type: "INTEGER", nullable: true),
                Status = t.Column<string>(type: "TEXT", nullable: false),
                Url = t.Column<string>(type: "TEXT", nullable: false),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
                CompletedAt = t.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_UsageCheckouts", x => x.SessionId));
        migrationBuilder.CreateIndex("IX_UsageCheckouts_UserId", "UsageCheckouts", "UserId");

        migrationBuilder.CreateTable(
            name: "CreditGrants",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", nullable: false),
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                Amount = t.Column<long>(type: "INTEGER", nullable: false),
                Remaining = t.Column<long>(type: "INTEGER", nullable: false),
                Currency = t.Column<string>(type: "TEXT", nullable: false),
                ExpiresAt = t.Column<long>(type: "INTEGER", nullable: true),
                Reason = t.Column<string>(type: "TEXT", nullable: false),
                Source = t.Column<string>(type: "TEXT", nullable: false),
                CheckoutSessionId = t.Column<string>(type: "TEXT", nullable: true),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_CreditGrants", x => x.Id));
        migrationBuilder.CreateIndex("IX_CreditGrants_UserId", "CreditGrants", "UserId");
        migrationBuilder.CreateIndex("IX_CreditGrants_CheckoutSessionId", "CreditGrants", "CheckoutSessionId", unique: true);

        migrationBuilder.CreateTable(
            name: "CreditLedgerEntries",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", nullable: false),
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                Type = t.Column<string>(type: "TEXT", nullable: false),
                Amount = t.Column<long>(type: "INTEGER", nullable: false),
                Currency = t.Column<string>(type: "TEXT", nullable: false),
                GrantId = t.Column<string>(type: "TEXT", nullable: false),
                UsageInvoiceId = t.Column<string>(type: "TEXT", nullable: true),
                Description = t.Column<string>(type: "TEXT", nullable: false),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_CreditLedgerEntries", x => x.Id));
        migrationBuilder.CreateIndex("IX_CreditLedgerEntries_UserId_CreatedAt", "CreditLedgerEntries", ["UserId", "CreatedAt"]);

        migrationBuilder.CreateTable(
            name: "UsageInvoices",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", nullable: false),
                Number = t.Column<string>(type: "TEXT", nullable: false),
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                Period = t.Column<string>(type: "TEXT", nullable: false),
                Currency = t.Column<string>(type: "TEXT", nullable: false),
                Subtotal = t.Column<long>(type: "INTEGER", nullable: false),
                CreditsApplied = t.Column<long>(type: "INTEGER", nullable: false),
                AmountDue = t.Column<long>(type: "INTEGER", nullable: false),
                Status = t.Column<string>(type: "TEXT", nullable: false),
                StripeInvoiceId = t.Column<string>(type: "TEXT", nullable: true),
                StripeCreditItemId = t.Column<string>(type: "TEXT", nullable: true),
                StripeStatus = t.Column<string>(type: "TEXT", nullable: true),
                PaymentAttempts = t.Column<int>(type: "INTEGER", nullable: false),
                LastError = t.Column<string>(type: "TEXT", nullable: true),
                LockedUntil = t.Column<long>(type: "INTEGER", nullable: true),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
                UpdatedAt = t.Column<long>(type: "INTEGER", nullable: false),
                PaidAt = t.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_UsageInvoices", x => x.Id));
        migrationBuilder.CreateIndex("IX_UsageInvoices_Number", "UsageInvoices", "Number", unique: true);
        migrationBuilder.CreateIndex("IX_UsageInvoices_UserId_Period", "UsageInvoices", ["UserId", "Period"], unique: true);
        migrationBuilder.CreateIndex("IX_UsageInvoices_Period_Status", "UsageInvoices", ["Period", "Status"]);

        migrationBuilder.CreateTable(
            name: "UsageInvoiceLines",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", nullable: false),
                InvoiceId = t.Column<string>(type: "TEXT", nullable: false),
                LineNumber = t.Column<int>(type: "INTEGER", nullable: false),
                Meter = t.Column<string>(type: "TEXT", nullable: false),
                Model = t.Column<string>(type: "TEXT", nullable: true),
                PluginId = t.Column<string>(type: "TEXT", nullable: true),
                InputTokens = t.Column<long>(type: "INTEGER", nullable: false),
                OutputTokens = t.Column<long>(type: "INTEGER", nullable: false),
                Quantity = t.Column<long>(type: "INTEGER", nullable: false),
                Amount = t.Column<long>(type: "INTEGER", nullable: false),
                Currency = t.Column<string>(type: "TEXT", nullable: false),
                Description = t.Column<string>(type: "TEXT", nullable: false),
                StripeInvoiceItemId = t.Column<string>(type: "TEXT", nullable: true),
            },
            constraints: t =>
            {
                t.PrimaryKey("PK_UsageInvoiceLines", x => x.Id);
                t.ForeignKey("FK_UsageInvoiceLines_UsageInvoices_InvoiceId", x => x.InvoiceId, "UsageInvoices", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_UsageInvoiceLines_InvoiceId", "UsageInvoiceLines", "InvoiceId");

        migrationBuilder.CreateTable(
            name: "UsageInvoiceRuns",
            columns: t => new
            {
                Period = t.Column<string>(type: "TEXT", nullable: false),
                StartedAt = t.Column<long>(type: "INTEGER", nullable: false),
                CompletedAt = t.Column<long>(type: "INTEGER", nullable: true),
                InvoicesCreated = t.Column<int>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_UsageInvoiceRuns", x => x.Period));
    }
}
