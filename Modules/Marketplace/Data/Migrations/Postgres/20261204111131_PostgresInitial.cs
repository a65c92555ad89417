using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Monetization.Marketplace.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PostgresInitial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "marketplace");

            migrationBuilder.CreateTable(
                name: "Developers",
                schema: "marketplace",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    RevenueShareBps = table.Column<int>(type: "integer", nullable: false),
                    StripeAccountId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    PayoutsEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    ChargesEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    DetailsSubmitted = table.Column<bool>(type: "boolean", nullable: false),
                    AccountUpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Developers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "EarningsBuckets",
                schema: "marketplace",
                columns: table => new
                {
                    DeveloperId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Period = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    PluginId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    AvailableOn = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Events = table.Column<long>(type: "bigint", nullable: false),
                    Gross = table.Column<long>(type: "bigint", nullable: false),
                    Refunded = table.Column<long>(type: "bigint", nullable: false),
                    DeveloperShare = table.Column<long>(type: "bigint", nullable: false),
                    PlatformShare = table.Column<long>(type: "bigint", nullable: false),
                    DeveloperPaid = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EarningsBuckets", x => new { x.DeveloperId, x.Period, x.PluginId, x.Currency, x.AvailableOn });
                });

            migrationBuilder.CreateTable(
                name: "InboxMessages",
                schema: "marketplace",
                columns: table => new
                {
                    EventId = table.Column<Guid>(type: "uuid", nullable: false),
                    Consumer = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    ProcessedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboxMessages", x => new { x.EventId, x.Consumer });
                });

            migrationBuilder.CreateTable(
                name: "InstallStats",
                schema: "marketplace",
                columns: table => new
                {
                    DeveloperId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Period = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    PluginId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Installs = table.Column<long>(type: "bigint", nullable: false),
                    Uninstalls = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InstallStats", x => new { x.DeveloperId, x.Period, x.PluginId });
                });

            migrationBuilder.CreateTable(
                name: "Installs",
                schema: "marketplace",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    PluginId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    DeveloperId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    UserId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    PricingModel = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    CheckoutSessionId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    CheckoutUrl = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    StripeSubscriptionItemId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    StripeSubscriptionId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ActivatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    UninstalledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Installs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OutboxMessages",
                schema: "marketplace",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    EventId = table.Column<Guid>(type: "uuid", nullable: false),
                    Type = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Payload = table.Column<string>(type: "text", nullable: false),
                    OccurredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DispatchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DeadLetteredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "text", nullable: true),
                    LockedUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LockedBy = table.Column<string>(type: "text", nullable: true),
                    TraceParent = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboxMessages", x => x.Sequence);
                });

            migrationBuilder.CreateTable(
                name: "Payouts",
                schema: "marketplace",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    DeveloperId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Period = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    Amount = table.Column<long>(type: "bigint", nullable: false),
                    EventCount = table.Column<int>(type: "integer", nullable: false),
                    StripeAccountId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    IdempotencyKey = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    TransferId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    LastError = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    LeaseUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PaidAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Payouts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Plugins",
                schema: "marketplace",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    DeveloperId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Slug = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: false),
                    PricingModel = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Amount = table.Column<long>(type: "bigint", nullable: true),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true),
                    UsageUnit = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    UnitAmountDecimal = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    InputUnitAmountDecimal = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    OutputUnitAmountDecimal = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    StripeProductId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    StripePriceId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    InstallCount = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Plugins", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RevenueEvents",
                schema: "marketplace",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    SourceId = table.Column<string>(type: "character varying(600)", maxLength: 600, nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    DeveloperId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    PluginId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    InstallId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    UserId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    Gross = table.Column<long>(type: "bigint", nullable: false),
                    DeveloperShare = table.Column<long>(type: "bigint", nullable: false),
                    PlatformShare = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    RevenueShareBps = table.Column<int>(type: "integer", nullable: false),
                    Period = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    EarnedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    AvailableAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StripeInvoiceId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    StripeChargeId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    StripePaymentIntentId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    RefundOfEventId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    RefundedGross = table.Column<long>(type: "bigint", nullable: false),
                    PayoutId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    TransferId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    TransferReversalId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    ReversalCallId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    PaidAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    BucketDay = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RevenueEvents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "StripeCalls",
                schema: "marketplace",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    IdempotencyKey = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    RevenueEventId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    TransferId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Amount = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true),
                    InstallId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    SubscriptionId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    SubscriptionItemId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LeaseToken = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    LeaseUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    ResultId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StripeCalls", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Subscribers",
                schema: "marketplace",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    StripeCustomerId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    StripeSubscriptionId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    Version = table.Column<long>(type: "bigint", nullable: false),
                    FirstPaidAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Subscribers", x => x.UserId);
                });

            migrationBuilder.CreateTable(
                name: "UncollectedUsageCharges",
                schema: "marketplace",
                columns: table => new
                {
                    ChargeId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    DeveloperId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    PluginId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    UserId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    UsageInvoiceId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Period = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    Gross = table.Column<long>(type: "bigint", nullable: false),
                    DeveloperShare = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    PaymentFailed = table.Column<bool>(type: "boolean", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    VoidedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UncollectedUsageCharges", x => x.ChargeId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Developers_StripeAccountId",
                schema: "marketplace",
                table: "Developers",
                column: "StripeAccountId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Installs_CheckoutSessionId",
                schema: "marketplace",
                table: "Installs",
                column: "CheckoutSessionId");

            migrationBuilder.CreateIndex(
                name: "IX_Installs_PluginId_UserId",
                schema: "marketplace",
                table: "Installs",
                columns: new[] { "PluginId", "UserId" },
                unique: true,
                filter: "\"UninstalledAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Installs_StripeSubscriptionItemId",
                schema: "marketplace",
                table: "Installs",
                column: "StripeSubscriptionItemId");

            migrationBuilder.CreateIndex(
                name: "IX_Installs_UserId_Status",
                schema: "marketplace",
                table: "Installs",
                columns: new[] { "UserId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_DispatchedAt_NextAttemptAt",
                schema: "marketplace",
                table: "OutboxMessages",
                columns: new[] { "DispatchedAt", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_EventId",
                schema: "marketplace",
                table: "OutboxMessages",
                column: "EventId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Payouts_DeveloperId_Period_Currency",
                schema: "marketplace",
                table: "Payouts",
                columns: new[] { "DeveloperId", "Period", "Currency" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Payouts_Status_Period",
                schema: "marketplace",
                table: "Payouts",
                columns: new[] { "Status", "Period" });

            migrationBuilder.CreateIndex(
                name: "IX_Payouts_TransferId",
                schema: "marketplace",
                table: "Payouts",
                column: "TransferId");

            migrationBuilder.CreateIndex(
                name: "IX_Plugins_DeveloperId_Status",
                schema: "marketplace",
                table: "Plugins",
                columns: new[] { "DeveloperId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Plugins_Slug",
                schema: "marketplace",
                table: "Plugins",
                column: "Slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Plugins_Status_InstallCount_Id",
                schema: "marketplace",
                table: "Plugins",
                columns: new[] { "Status", "InstallCount", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Plugins_Status_Name_Id",
                schema: "marketplace",
                table: "Plugins",
                columns: new[] { "Status", "Name", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Plugins_StripePriceId",
                schema: "marketplace",
                table: "Plugins",
                column: "StripePriceId");

            migrationBuilder.CreateIndex(
                name: "IX_RevenueEvents_DeveloperId_EarnedAt",
                schema: "marketplace",
                table: "RevenueEvents",
                columns: new[] { "DeveloperId", "EarnedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RevenueEvents_DeveloperId_PaidAt_PayoutId_Currency",
                schema: "marketplace",
                table: "RevenueEvents",
                columns: new[] { "DeveloperId", "PaidAt", "PayoutId", "Currency" });

            migrationBuilder.CreateIndex(
                name: "IX_RevenueEvents_PayoutId",
                schema: "marketplace",
                table: "RevenueEvents",
                column: "PayoutId");

            migrationBuilder.CreateIndex(
                name: "IX_RevenueEvents_SourceId",
                schema: "marketplace",
                table: "RevenueEvents",
                column: "SourceId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RevenueEvents_StripeChargeId",
                schema: "marketplace",
                table: "RevenueEvents",
                column: "StripeChargeId");

            migrationBuilder.CreateIndex(
                name: "IX_RevenueEvents_StripeInvoiceId",
                schema: "marketplace",
                table: "RevenueEvents",
                column: "StripeInvoiceId");

            migrationBuilder.CreateIndex(
                name: "IX_RevenueEvents_StripePaymentIntentId",
                schema: "marketplace",
                table: "RevenueEvents",
                column: "StripePaymentIntentId");

            migrationBuilder.CreateIndex(
                name: "IX_StripeCalls_IdempotencyKey",
                schema: "marketplace",
                table: "StripeCalls",
                column: "IdempotencyKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StripeCalls_LeaseToken",
                schema: "marketplace",
                table: "StripeCalls",
                column: "LeaseToken");

            migrationBuilder.CreateIndex(
                name: "IX_StripeCalls_Status_NextAttemptAt",
                schema: "marketplace",
                table: "StripeCalls",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_UncollectedUsageCharges_DeveloperId_Period",
                schema: "marketplace",
                table: "UncollectedUsageCharges",
                columns: new[] { "DeveloperId", "Period" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Developers",
                schema: "marketplace");

            migrationBuilder.DropTable(
                name: "EarningsBuckets",
                schema: "marketplace");

            migrationBuilder.DropTable(
                name: "InboxMessages",
                schema: "marketplace");

            migrationBuilder.DropTable(
                name: "InstallStats",
                schema: "marketplace");

            migrationBuilder.DropTable(
                name: "Installs",
                schema: "marketplace");

            migrationBuilder.DropTable(
                name: "OutboxMessages",
                schema: "marketplace");

            migrationBuilder.DropTable(
                name: "Payouts",
                schema: "marketplace");

            migrationBuilder.DropTable(
                name: "Plugins",
                schema: "marketplace");

            migrationBuilder.DropTable(
                name: "RevenueEvents",
                schema: "marketplace");

            migrationBuilder.DropTable(
                name: "StripeCalls",
                schema: "marketplace");

            migrationBuilder.DropTable(
                name: "Subscribers",
                schema: "marketplace");

            migrationBuilder.DropTable(
                name: "UncollectedUsageCharges",
                schema: "marketplace");
        }
    }
}
