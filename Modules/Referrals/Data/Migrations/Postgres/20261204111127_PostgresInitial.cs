using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Monetization.Referrals.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PostgresInitial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "referrals");

            migrationBuilder.CreateTable(
                name: "CreditEntries",
                schema: "referrals",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Id = table.Column<string>(type: "text", nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Kind = table.Column<string>(type: "text", nullable: false),
                    Days = table.Column<int>(type: "integer", nullable: false),
                    Reason = table.Column<string>(type: "text", nullable: false),
                    ReferralId = table.Column<string>(type: "text", nullable: false),
                    ReversesEntryId = table.Column<string>(type: "text", nullable: true),
                    Note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    IdempotencyKey = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreditUntilAfter = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CreditEntries", x => x.Sequence);
                });

            migrationBuilder.CreateTable(
                name: "EarlyRefunds",
                schema: "referrals",
                columns: table => new
                {
                    ChargeId = table.Column<string>(type: "text", nullable: false),
                    InvoiceId = table.Column<string>(type: "text", nullable: true),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    RefundedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EarlyRefunds", x => x.ChargeId);
                });

            migrationBuilder.CreateTable(
                name: "ErasedUsers",
                schema: "referrals",
                columns: table => new
                {
                    UserIdHash = table.Column<string>(type: "text", nullable: false),
                    Pseudonym = table.Column<string>(type: "text", nullable: false),
                    ErasedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ErasedUsers", x => x.UserIdHash);
                });

            migrationBuilder.CreateTable(
                name: "InboxMessages",
                schema: "referrals",
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
                name: "OutboxMessages",
                schema: "referrals",
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
                name: "ReferralUsers",
                schema: "referrals",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Code = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true),
                    CodeCreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    StripeCustomerId = table.Column<string>(type: "text", nullable: true),
                    EmailNormalized = table.Column<string>(type: "text", nullable: true),
                    SubscriptionStatus = table.Column<string>(type: "text", nullable: true),
                    AccessTier = table.Column<string>(type: "text", nullable: true),
                    SubscriptionVersion = table.Column<long>(type: "bigint", nullable: false),
                    FirstPaidAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferralUsers", x => x.UserId);
                });

            migrationBuilder.CreateTable(
                name: "Referrals",
                schema: "referrals",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    ReferrerUserId = table.Column<string>(type: "text", nullable: false),
                    ReferredUserId = table.Column<string>(type: "text", nullable: false),
                    Code = table.Column<string>(type: "text", nullable: true),
                    CapturedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ConvertedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreditedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RewardStatus = table.Column<string>(type: "text", nullable: false),
                    RewardReason = table.Column<string>(type: "text", nullable: true),
                    FirstInvoiceId = table.Column<string>(type: "text", nullable: true),
                    FirstChargeId = table.Column<string>(type: "text", nullable: true),
                    FirstAmountPaid = table.Column<long>(type: "bigint", nullable: true),
                    FirstCurrency = table.Column<string>(type: "text", nullable: true),
                    RefundedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ReversedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ReferrerErasedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ReferredErasedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Referrals", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CreditEntries_Id",
                schema: "referrals",
                table: "CreditEntries",
                column: "Id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CreditEntries_IdempotencyKey",
                schema: "referrals",
                table: "CreditEntries",
                column: "IdempotencyKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CreditEntries_ReferralId",
                schema: "referrals",
                table: "CreditEntries",
                column: "ReferralId");

            migrationBuilder.CreateIndex(
                name: "IX_CreditEntries_UserId_Sequence",
                schema: "referrals",
                table: "CreditEntries",
                columns: new[] { "UserId", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_EarlyRefunds_UserId",
                schema: "referrals",
                table: "EarlyRefunds",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_DispatchedAt_NextAttemptAt",
                schema: "referrals",
                table: "OutboxMessages",
                columns: new[] { "DispatchedAt", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_EventId",
                schema: "referrals",
                table: "OutboxMessages",
                column: "EventId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ReferralUsers_Code",
                schema: "referrals",
                table: "ReferralUsers",
                column: "Code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ReferralUsers_StripeCustomerId",
                schema: "referrals",
                table: "ReferralUsers",
                column: "StripeCustomerId");

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_FirstChargeId",
                schema: "referrals",
                table: "Referrals",
                column: "FirstChargeId");

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_FirstInvoiceId",
                schema: "referrals",
                table: "Referrals",
                column: "FirstInvoiceId");

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_ReferredUserId",
                schema: "referrals",
                table: "Referrals",
                column: "ReferredUserId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_ReferrerUserId_CapturedAt",
                schema: "referrals",
                table: "Referrals",
                columns: new[] { "ReferrerUserId", "CapturedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CreditEntries",
                schema: "referrals");

            migrationBuilder.DropTable(
                name: "EarlyRefunds",
                schema: "referrals");

            migrationBuilder.DropTable(
                name: "ErasedUsers",
                schema: "referrals");

            migrationBuilder.DropTable(
                name: "InboxMessages",
                schema: "referrals");

            migrationBuilder.DropTable(
                name: "OutboxMessages",
                schema: "referrals");

            migrationBuilder.DropTable(
                name: "ReferralUsers",
                schema: "referrals");

            migrationBuilder.DropTable(
                name: "Referrals",
                schema: "referrals");
        }
    }
}
