using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Subscriptions.Data.Migrations;

/// <summary>Hand-written initial schema of the Subscriptions module (times are UTC ticks, money minor units).</summary>
[DbContext(typeof(SubscriptionsDbContext))]
[Migration("20261121000001_Initial")]
internal sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateOutboxAndInbox();

        migrationBuilder.CreateTable(
            name: "BillingAccounts",
            columns: t => new
            {
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                Email = t.Column<string>(type: "TEXT", nullable: true),
                StripeCustomerId = t.Column<string>(type: "TEXT", nullable: true),
                CreatedAt = t.Column<long>(type: "INTEGER", nullable: false),
                UpdatedAt = t.Column<long>(type: "INTEGER", nullable: false),
                StripeSubscriptionId = t.Column<string>(type: "TEXT", nullable: true),
                StripeSubscriptionItemId = t.Column<string>(type: "TEXT", nullable: true),
                Plan = t.Column<string>(type: "TEXT", nullable: true),
                Cadence = t.Column<string>(type: "TEXT", nullable: true),
                PriceId = t.Column<string>(type: "TEXT", nullable: true),
                Status = t.Column<string>(type: "TEXT", nullable: false),
                CurrentPeriodStart = t.Column<long>(type: "INTEGER", nullable: true),
                CurrentPeriodEnd = t.Column<long>(type: "INTEGER", nullable: true),
                TrialStart = t.Column<long>(type: "INTEGER", nullable: true),
                TrialEnd = t.Column<long>(type: "INTEGER", nullable: true),
                CancelAtPeriodEnd = t.Column<bool>(type: "INTEGER", nullable: false),
                CancelAt = t.Column<long>(type: "INTEGER", nullable: true),
                CanceledAt = t.Column<long>(type: "INTEGER", nullable: true),
                EndedAt = t.Column<long>(type: "INTEGER", nullable: true),
                SubscriptionCreatedAt = t.Column<long>(type: "INTEGER", nullable: true),
                StateAsOf = t.Column<long>(type: "INTEGER", nullable: true),
                GracePeriodEnd = t.Column<long>(type: "INTEGER", nullable: true),
                CreditUntil = t.Column<long>(type: "INTEGER", nullable: true),
                DeferredUntil = t.Column<long>(type: "INTEGER", nullable: true),
                TrialUsed = t.Column<bool>(type: "INTEGER", nullable: false),
                Version = t.Column<long>(type: "INTEGER", nullable: false),
                PublishedState = t.Column<string>(type: "TEXT", nullable: true),
                NextAccessCheckAt = t.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_BillingAccounts", x => x.UserId));
        migrationBuilder.CreateIndex("IX_BillingAccounts_StripeCustomerId", "BillingAccounts", "StripeCustomerId", unique: true);
        migrationBuilder.CreateIndex("IX_BillingAccounts_StripeSubscriptionId", "BillingAccounts", "StripeSubscriptionId");
        migrationBuilder.CreateIndex("IX_BillingAccounts_NextAccessCheckAt", "BillingAccounts", "NextAccessCheckAt");

        migrationBuilder.CreateTable(
            name: "StripeEvents",
            columns: t => new
            {
                Id = t.Column<string>(type: "TEXT", nullable: false),
                Type = t.Column<string>(type: "TEXT", nullable: false),
                Created = t.Column<long>(type: "INTEGER", nullable: false),
                ObjectId = t.Column<string>(type: "TEXT", nullable: true),
                Account = t.Column<string>(type: "TEXT", nullable: true),
                Livemode = t.Column<bool>(type: "INTEGER", nullable: false),
                Payload = t.Column<string>(type: "TEXT", nullable: false),
                Status = t.Column<string>(type: "TEXT", nullable: false),
                Attempts = t.Column<int>(type: "INTEGER", nullable: false),
                LastError = t.Column<string>(type: "TEXT", nullable: true),
                ReceivedAt = t.Column<long>(type: "INTEGER", nullable: false),
                ProcessedAt = t.Column<long>(type: "INTEGER", nullable: true),
                NextAttemptAt = t.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_StripeEvents", x => x.Id));
        migrationBuilder.CreateIndex("IX_StripeEvents_Status_NextAttemptAt", "StripeEvents", ["Status", "NextAttemptAt"]);
        migrationBuilder.CreateIndex("IX_StripeEvents_ReceivedAt", "StripeEvents", "ReceivedAt");

        migrationBuilder.CreateTable(
            name: "FirstPaidMarkers",
            columns: t => new
            {
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                InvoiceId = t.Column<string>(type: "TEXT", nullable: false),
                AmountPaid = t.Column<long>(type: "INTEGER", nullable: false),
                Currency = t.Column<string>(type: "TEXT", nullable: false),
                OccurredAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_FirstPaidMarkers", x => x.UserId));

        migrationBuilder.CreateTable(
            name: "Invoices",
            columns: t => new
            {
                InvoiceId = t.Column<string>(type: "TEXT", nullable: false),
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                StripeSubscriptionId = t.Column<string>(type: "TEXT", nullable: true),
                Status = t.Column<string>(type: "TEXT", nullable: false),
                AmountDue = t.Column<long>(type: "INTEGER", nullable: false),
                AmountPaid = t.Column<long>(type: "INTEGER", nullable: false),
                Currency = t.Column<string>(type: "TEXT", nullable: false),
                ChargeId = t.Column<string>(type: "TEXT", nullable: true),
                PaymentIntentId = t.Column<string>(type: "TEXT", nullable: true),
                PaidAt = t.Column<long>(type: "INTEGER", nullable: true),
                AttemptCount = t.Column<long>(type: "INTEGER", nullable: false),
                UpdatedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_Invoices", x => x.InvoiceId));
        migrationBuilder.CreateIndex("IX_Invoices_ChargeId", "Invoices", "ChargeId");
        migrationBuilder.CreateIndex("IX_Invoices_PaymentIntentId", "Invoices", "PaymentIntentId");

        migrationBuilder.CreateTable(
            name: "Charges",
            columns: t => new
            {
                ChargeId = t.Column<string>(type: "TEXT", nullable: false),
                AmountRefunded = t.Column<long>(type: "INTEGER", nullable: false),
                UpdatedAt = t.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: t => t.PrimaryKey("PK_Charges", x => x.ChargeId));

        migrationBuilder.CreateTable(
            name: "CreditGrants",
            columns: t => new
            {
                GrantId = t.Column<string>(type: "TEXT", nullable: false),
                UserId = t.Column<string>(type: "TEXT", nullable: false),
                Days = t.Column<int>(type: "INTEGER", nullable: false),
                Reason = t.Column<string>(type: "TEXT", nullable: false),
                GrantedAt = t.Column<long>(type: "INTEGER", nullable: true),
                ReversedAt = t.Column<long>(type: "INTEGER", nullable: true),
                DeferralState = t.Column<string>(type: "TEXT", nullable: false),
                DeferralSubscriptionId = t.Column<string>(type: "TEXT", nullable: true),
                DeferralTarget = t.Column<long>(type: "INTEGER", nullable: true),
                DeferralAttempts = t.Column<int>(type: "INTEGER", nullable: false),
                DeferralError = t.Column<string>(type: "TEXT", nullable: true),
                DeferralNextAttemptAt = t.Column<long>(type: "INTEGER", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_CreditGrants", x => x.GrantId));
        migrationBuilder.CreateIndex("IX_CreditGrants_UserId", "CreditGrants", "UserId");
        migrationBuilder.CreateIndex("IX_CreditGrants_DeferralState_DeferralNextAttemptAt", "CreditGrants", ["DeferralState", "DeferralNextAttemptAt"]);
    }
}
