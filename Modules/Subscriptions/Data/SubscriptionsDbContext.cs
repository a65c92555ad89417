using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Data;

/// <summary>The Subscriptions module's own database (SQLite file <c>subscriptions.db</c> by default), with its outbox and inbox.</summary>
internal sealed class SubscriptionsDbContext(DbContextOptions<SubscriptionsDbContext> options) : ModuleDbContext(options)
{
    public DbSet<BillingAccount> Accounts => Set<BillingAccount>();

    public DbSet<StripeEventRecord> StripeEvents => Set<StripeEventRecord>();

    public DbSet<FirstPaidMarker> FirstPaidMarkers => Set<FirstPaidMarker>();

    public DbSet<InvoiceRecord> Invoices => Set<InvoiceRecord>();

    public DbSet<ChargeRecord> Charges => Set<ChargeRecord>();

    public DbSet<CreditGrant> CreditGrants => Set<CreditGrant>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<BillingAccount>(b =>
        {
            b.ToTable("BillingAccounts");
            b.HasKey(a => a.UserId);
            b.HasIndex(a => a.StripeCustomerId).IsUnique();
            b.HasIndex(a => a.StripeSubscriptionId);
            b.HasIndex(a => a.NextAccessCheckAt);
        });
        modelBuilder.Entity<StripeEventRecord>(b =>
        {
            b.ToTable("StripeEvents");
            b.HasKey(e => e.Id);
            b.HasIndex(e => new { e.Status, e.NextAttemptAt });
            b.HasIndex(e => e.ReceivedAt);
        });
        modelBuilder.Entity<FirstPaidMarker>(b =>
        {
            b.ToTable("FirstPaidMarkers");
            b.HasKey(m => m.UserId);
        });
        modelBuilder.Entity<InvoiceRecord>(b =>
        {
            b.ToTable("Invoices");
            b.HasKey(i => i.InvoiceId);
            b.HasIndex(i => i.ChargeId);
            b.HasIndex(i => i.PaymentIntentId);
        });
        modelBuilder.Entity<ChargeRecord>(b =>
        {
            b.ToTable("Charges");
            b.HasKey(c => c.ChargeId);
        });
        modelBuilder.Entity<CreditGrant>(b =>
        {
            b.ToTable("CreditGrants");
            b.HasKey(g => g.GrantId);
            b.HasIndex(g => g.UserId);
            b.HasIndex(g => new { g.DeferralState, g.DeferralNextAttemptAt });
        });
    }
}
