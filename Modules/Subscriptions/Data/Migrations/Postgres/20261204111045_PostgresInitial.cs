using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Monetization.Subscriptions.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PostgresInitial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "subscriptions");

            migrationBuilder.CreateTable(
                name: "BillingAccounts",
                schema: "subscriptions",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Email = table.Column<string>(type: "text", nullable: true),
                    StripeCustomerId = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StripeSubscriptionId = table.Column<string>(type: "text", nullable: true),
                    StripeSubscriptionItemId = table.Column<string>(type: "text", nullable: true),
                    Plan = table.Column<string>(type: "text", nullable: true),
                    Cadence = table.Column<string>(type: "text", nullable: true),
                    PriceId = table.Column<string>(type: "text", nullable: true),
                    Status = table.Column<string>(type: "text", nullable: false),
                    CurrentPeriodStart = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CurrentPeriodEnd = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    TrialStart = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    TrialEnd = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CancelAtPeriodEnd = table.Column<bool>(type: "boolean", nullable: false),
                    CancelAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CanceledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EndedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SubscriptionCreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    StateAsOf = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    GracePeriodEnd = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreditUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DeferredUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    TrialUsed = table.Column<bool>(type: "boolean", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false),
                    PublishedState = table.Column<string>(type: "text", nullable: true),
                    NextAccessCheckAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BillingAccounts", x => x.UserId);
                });

            migrationBuilder.CreateTable(
                name: "Charges",
                schema: "subscriptions",
                columns: table => new
                {
                    ChargeId = table.Column<string>(type: "text", nullable: false),
                    AmountRefunded = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Charges", x => x.ChargeId);
                });

            migrationBuilder.CreateTable(
                name: "CreditGrants",
                schema: "subscriptions",
                columns: table => new
                {
                    GrantId = table.Column<string>(type: "text", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Days = table.Column<int>(type: "integer", nullable: false),
                    Reason = table.Column<string>(type: "text", nullable: false),
                    GrantedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ReversedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DeferralState = table.Column<string>(type: "text", nullable: false),
                    DeferralSubscriptionId = table.Column<string>(type: "text", nullable: true),
                    DeferralTarget = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DeferralAttempts = table.Column<int>(type: "integer", nullable: false),
                    DeferralError = table.Column<string>(type: "text", nullable: true),
                    DeferralNextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CreditGrants", x => x.GrantId);
                });

            migrationBuilder.CreateTable(
                name: "FirstPaidMarkers",
                schema: "subscriptions",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    InvoiceId = table.Column<string>(type: "text", nullable: false),
                    AmountPaid = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "text", nullable: false),
                    OccurredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FirstPaidMarkers", x => x.UserId);
                });

            migrationBuilder.CreateTable(
                name: "InboxMessages",
                schema: "subscriptions",
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
                name: "Invoices",
                schema: "subscriptions",
                columns: table => new
                {
                    InvoiceId = table.Column<string>(type: "text", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    StripeSubscriptionId = table.Column<string>(type: "text", nullable: true),
                    Status = table.Column<string>(type: "text", nullable: false),
                    AmountDue = table.Column<long>(type: "bigint", nullable: false),
                    AmountPaid = table.Column<long>(type: "bigint", nullable: false),
                    Currency = table.Column<string>(type: "text", nullable: false),
                    ChargeId = table.Column<string>(type: "text", nullable: true),
                    PaymentIntentId = table.Column<string>(type: "text", nullable: true),
                    PaidAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AttemptCount = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Invoices", x => x.InvoiceId);
                });

            migrationBuilder.CreateTable(
                name: "OutboxMessages",
                schema: "subscriptions",
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
                name: "StripeEvents",
                schema: "subscriptions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    Type = table.Column<string>(type: "text", nullable: false),
                    Created = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ObjectId = table.Column<string>(type: "text", nullable: true),
                    Account = table.Column<string>(type: "text", nullable: true),
                    Livemode = table.Column<bool>(type: "boolean", nullable: false),
                    Payload = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    LastError = table.Column<string>(type: "text", nullable: true),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ProcessedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StripeEvents", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BillingAccounts_NextAccessCheckAt",
                schema: "subscriptions",
                table: "BillingAccounts",
                column: "NextAccessCheckAt");

            migrationBuilder.CreateIndex(
                name: "IX_BillingAccounts_StripeCustomerId",
                schema: "subscriptions",
                table: "BillingAccounts",
                column: "StripeCustomerId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BillingAccounts_StripeSubscriptionId",
                schema: "subscriptions",
                table: "BillingAccounts",
                column: "StripeSubscriptionId");

            migrationBuilder.CreateIndex(
                name: "IX_CreditGrants_DeferralState_DeferralNextAttemptAt",
                schema: "subscriptions",
                table: "CreditGrants",
                columns: new[] { "DeferralState", "DeferralNextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_CreditGrants_UserId",
                schema: "subscriptions",
                table: "CreditGrants",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_Invoices_ChargeId",
                schema: "subscriptions",
                table: "Invoices",
                column: "ChargeId");

            migrationBuilder.CreateIndex(
                name: "IX_Invoices_PaymentIntentId",
                schema: "subscriptions",
                table: "Invoices",
                column: "PaymentIntentId");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_DispatchedAt_NextAttemptAt",
                schema: "subscriptions",
                table: "OutboxMessages",
                columns: new[] { "DispatchedAt", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_EventId",
                schema: "subscriptions",
                table: "OutboxMessages",
                column: "EventId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StripeEvents_ReceivedAt",
                schema: "subscriptions",
                table: "StripeEvents",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_StripeEvents_Status_NextAttemptAt",
                schema: "subscriptions",
                table: "StripeEvents",
                columns: new[] { "Status", "NextAttemptAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BillingAccounts",
                schema: "subscriptions");

            migrationBuilder.DropTable(
                name: "Charges",
                schema: "subscriptions");

            migrationBuilder.DropTable(
                name: "CreditGrants",
                schema: "subscriptions");

            migrationBuilder.DropTable(
                name: "FirstPaidMarkers",
                schema: "subscriptions");

            migrationBuilder.DropTable(
                name: "InboxMessages",
                schema: "subscriptions");

            migrationBuilder.DropTable(
                name: "Invoices",
                schema: "subscriptions");

            migrationBuilder.DropTable(
                name: "OutboxMessages",
                schema: "subscriptions");

            migrationBuilder.DropTable(
                name: "StripeEvents",
                schema: "subscriptions");
        }
    }
}
