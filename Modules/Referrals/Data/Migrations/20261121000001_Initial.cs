using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Referrals.Data.Migrations;

/// <summary>Hand-written initial schema of the Referrals module.</summary>
[DbContext(typeof(ReferralsDbContext))]
[Migration("20261121000001_Initial")]
internal sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateOutboxAndInbox();

        migrationBuilder.CreateTable(
            name: "ReferralUsers",
            columns: t => new
            {
                UserId = t.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                Code = t.Column<string>(type: "TEXT", maxLength: 8, nullable: true),
                CodeCreatedAt = t.Column<long>(type: "INTEGER", nullable: true),
                StripeCustomerId = t.Column<string>(type: "TEXT", nullable: true),
                EmailNormalized = t.Column<string>(type: "TEXT", nullable: true),
                SubscriptionStatus = t.Column<string>(type: "TEXT", nullable: true),
                AccessTier = t.Column<string>(type: "TEXT", nullable: true),
                SubscriptionVersion = t.Column<long>(type: "INTEGER", nullable: false),
                FirstPaidAt = t.Column<long>(type: "INTEGER", nullable: true),
                UpdatedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_ReferralUsers", x => x.UserId));
        migrationBuilder.CreateIndex("IX_ReferralUsers_Code", "ReferralUsers", "Code", unique: true);
        migrationBuilder.CreateIndex("IX_ReferralUsers_StripeCustomerId", "ReferralUsers", "StripeCustomerId");

        migrationBuilder.CreateTable(
            name: "Referrals",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", nullable: false),
                ReferrerUserId = t.Column<string>(type: "TEXT", nullable: false),
                ReferredUserId = t.Column<string>(type: "TEXT", nullable: false),
                Code = t.Column<string>(type: "TEXT", nullable: true),
                CapturedAt = t.Column<long>(type: "INTEGER", nullable: false),
                ConvertedAt = t.Column<long>(type: "INTEGER", nullable: true),
                CreditedAt = t.Column<long>(type: "INTEGER", nullable: true),
                RewardStatus = t.Column<string>(type: "TEXT", nullable: false),
                RewardReason = t.Column<string>(type: "TEXT", nullable: true),
                FirstInvoiceId = t.Column<string>(type: "TEXT", nullable: true),
                FirstChargeId = t.Column<string>(type: "TEXT", nullable: true),
                FirstAmountPaid = t.Column<long>(type: "INTEGER", nullable: true),
                FirstCurrency = t.Column<string>(type: "TEXT", nullable: true),
                RefundedAt = t.Column<long>(type: "INTEGER", nullable: true),
                ReversedAt = t.Column<long>(type: "INTEGER", nullable: true),
                ReferrerErasedAt = t.Column<long>(type: "INTEGER", nullable: true),
                ReferredErasedAt = t.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_Referrals", x => x.Id));
        migrationBuilder.CreateIndex("IX_Referrals_ReferredUserId", "Referrals", "ReferredUserId", unique: true);
        migrationBuilder.CreateIndex("IX_Referrals_ReferrerUserId_CapturedAt", "Referrals", ["ReferrerUserId", "CapturedAt"]);
        migrationBuilder.CreateIndex("IX_Referrals_FirstChargeId", "Referrals", "FirstChargeId");
        migrationBuilder.CreateIndex("IX_Referrals_FirstInvoiceId", "Referrals", "FirstInvoiceId");

        migrationBuilder.CreateTable(
            name: "CreditEntries",
            columns: t => new
            {
                Sequence = t.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                Id = t.Column<string>(type: "TEXT", nullable: false),
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                Kind = t.Column<string>(type: "TEXT", nullable: false),
                Days = t.Column<int>(type: "INTEGER", nullable: false),
                Reason = t.Column<string>(type: "TEXT", nullable: false),
                ReferralId = t.Column<string>(type: "TEXT", nullable: false),
                ReversesEntryId = t.Column<string>(type: "TEXT", nullable: true),
                IdempotencyKey = t.Column<string>(type: "TEXT", nullable: false),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
                StartsAt = t.Column<long>(type: "INTEGER", nullable: false),
                CreditUntilAfter = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_CreditEntries", x => x.Sequence));
        migrationBuilder.CreateIndex("IX_CreditEntries_Id", "CreditEntries", "Id", unique: true);
        migrationBuilder.CreateIndex("IX_CreditEntries_IdempotencyKey", "CreditEntries", "IdempotencyKey", unique: true);
        migrationBuilder.CreateIndex("IX_CreditEntries_UserId_Sequence", "CreditEntries", ["UserId", "Sequence"]);
        migrationBuilder.CreateIndex("IX_CreditEntries_ReferralId", "CreditEntries", "ReferralId");

        migrationBuilder.CreateTable(
            name: "ErasedUsers",
            columns: t => new
            {
                UserIdHash = t.Column<string>(type: "TEXT", nullable: false),
                Pseudonym = t.Column<string>(type: "TEXT", nullable: false),
                ErasedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_ErasedUsers", x => x.UserIdHash));

        migrationBuilder.CreateTable(
            name: "EarlyRefunds",
            columns: t => new
            {
                ChargeId = t.Column<string>(type: "TEXT", nullable: false),
                InvoiceId = t.Column<string>(type: "TEXT", nullable: true),
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                RefundedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_EarlyRefunds", x => x.ChargeId));
        migrationBuilder.CreateIndex("IX_EarlyRefunds_UserId", "EarlyRefunds", "UserId");
    }
}
