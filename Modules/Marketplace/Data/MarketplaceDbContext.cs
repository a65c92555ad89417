using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Outbox;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Data;

/// <summary>The Marketplace module's own database (SQLite file <c>marketplace.db</c> by default), with its outbox and inbox.</summary>
internal sealed class MarketplaceDbContext(DbContextOptions<MarketplaceDbContext> options) : ModuleDbContext(options)
{
    public DbSet<Developer> Developers => Set<Developer>();

    public DbSet<Plugin> Plugins => Set<Plugin>();

    public DbSet<Install> Installs => Set<Install>();

    public DbSet<Subscriber> Subscribers => Set<Subscriber>();

    public DbSet<RevenueEvent> RevenueEvents => Set<RevenueEvent>();

    public DbSet<EarningsBucket> EarningsBuckets => Set<EarningsBucket>();

    public DbSet<InstallStat> InstallStats => Set<InstallStat>();

    public DbSet<Payout> Payouts => Set<Payout>();

    public DbSet<StripeCall> StripeCalls => Set<StripeCall>();

    public DbSet<UncollectedUsageCharge> UncollectedUsageCharges => Set<UncollectedUsageCharge>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Developer>(b =>
        {
            b.ToTable("Developers");
            b.HasKey(d => d.Id);
            b.Property(d => d.Id).HasMaxLength(UserIds.MaxLength);
            b.Property(d => d.Name).HasMaxLength(200);
            b.Property(d => d.Email).HasMaxLength(254);
            b.Property(d => d.StripeAccountId).HasMaxLength(255);
            b.HasIndex(d => d.StripeAccountId).IsUnique();
        });
        modelBuilder.Entity<Plugin>(b =>
        {
            b.ToTable("Plugins");
            b.HasKey(p => p.Id);
            b.Property(p => p.Id).HasMaxLength(40);
            b.Property(p => p.DeveloperId).HasMaxLength(UserIds.MaxLength);
            b.Property(p => p.Slug).HasMaxLength(64);
            b.Property(p => p.Name).HasMaxLength(200);
            b.Property(p => p.Description).HasMaxLength(5000);
            b.Property(p => p.PricingModel).HasMaxLength(20);
            b.Property(p => p.Currency).HasMaxLength(3);
            b.Property(p => p.UsageUnit).HasMaxLength(20);
            b.Property(p => p.UnitAmountDecimal).HasMaxLength(40);
            b.Property(p => p.InputUnitAmountDecimal).HasMaxLength(40);
            b.Property(p => p.OutputUnitAmountDecimal).HasMaxLength(40);
            b.Property(p => p.StripeProductId).HasMaxLength(255);
            b.Property(p => p.StripePriceId).HasMaxLength(255);
            b.Property(p => p.Status).HasMaxLength(20);
            b.HasIndex(p => p.Slug).IsUnique();
            b.HasIndex(p => new { p.Status, p.InstallCount, p.Id });
            b.HasIndex(p => new { p.Status, p.Name, p.Id });
            b.HasIndex(p => new { p.DeveloperId, p.Status });
            b.HasIndex(p => p.StripePriceId);
        });
        modelBuilder.Entity<Install>(b =>
        {
            b.ToTable("Installs");
            b.HasKey(i => i.Id);
            b.Property(i => i.Id).HasMaxLength(40);
            b.Property(i => i.PluginId).HasMaxLength(40);
            b.Property(i => i.DeveloperId).HasMaxLength(UserIds.MaxLength);
            b.Property(i => i.UserId).HasMaxLength(UserIds.MaxLength);
            b.Property(i => i.PricingModel).HasMaxLength(20);
            b.Property(i => i.Status).HasMaxLength(20);
            b.Property(i => i.CheckoutSessionId).HasMaxLength(255);
            b.Property(i => i.CheckoutUrl).HasMaxLength(2000);
            b.Property(i => i.StripeSubscriptionItemId).HasMaxLength(255);
            b.Property(i => i.StripeSubscriptionId).HasMaxLength(255);
            // One live install per plugin and user; uninstalled ones are history.
            b.HasIndex(i => new { i.PluginId, i.UserId }).IsUnique().HasFilter("\"UninstalledAt\" IS NULL");
            b.HasIndex(i => new { i.UserId, i.Status });
            b.HasIndex(i => i.StripeSubscriptionItemId);
            b.HasIndex(i => i.CheckoutSessionId);
        });
        modelBuilder.Entity<Subscriber>(b =>
        {
            b.ToTable("Subscribers");
            b.HasKey(s => s.UserId);
            b.Property(s => s.UserId).HasMaxLength(UserIds.MaxLength);
            b.Property(s => s.StripeCustomerId).HasMaxLength(255);
            b.Property(s => s.StripeSubscriptionId).HasMaxLength(255);
            b.Property(s => s.Status).HasMaxLength(40);
            b.Ignore(s => s.IsPaying);
        });
        modelBuilder.Entity<RevenueEvent>(b =>
        {
            b.ToTable("RevenueEvents");
            b.HasKey(e => e.Id);
            b.Property(e => e.Id).HasMaxLength(40);
            b.Property(e => e.SourceId).HasMaxLength(600);
            b.Property(e => e.Kind).HasMaxLength(20);
            b.Property(e => e.DeveloperId).HasMaxLength(UserIds.MaxLength);
            b.Property(e => e.PluginId).HasMaxLength(40);
            b.Property(e => e.InstallId).HasMaxLength(40);
            b.Property(e => e.UserId).HasMaxLength(UserIds.MaxLength);
            b.Property(e => e.Currency).HasMaxLength(3);
            b.Property(e => e.Period).HasMaxLength(7);
            b.Property(e => e.StripeInvoiceId).HasMaxLength(255);
            b.Property(e => e.StripeChargeId).HasMaxLength(255);
            b.Property(e => e.StripePaymentIntentId).HasMaxLength(255);
            b.Property(e => e.RefundOfEventId).HasMaxLength(40);
            b.Property(e => e.PayoutId).HasMaxLength(40);
            b.Property(e => e.TransferId).HasMaxLength(255);
            b.Property(e => e.TransferReversalId).HasMaxLength(255);
            b.Property(e => e.ReversalCallId).HasMaxLength(40);
            b.HasIndex(e => e.SourceId).IsUnique();
            // Payout claims: the unsettled events of a developer and currency.
            b.HasIndex(e => new { e.DeveloperId, e.PaidAt, e.PayoutId, e.Currency });
            b.HasIndex(e => e.PayoutId);
            b.HasIndex(e => new { e.DeveloperId, e.EarnedAt });
            b.HasIndex(e => e.StripeInvoiceId);
            b.HasIndex(e => e.StripeChargeId);
            b.HasIndex(e => e.StripePaymentIntentId);
        });
        modelBuilder.Entity<UncollectedUsageCharge>(b =>
        {
            b.ToTable("UncollectedUsageCharges");
            b.HasKey(x => x.ChargeId);
            b.Property(x => x.ChargeId).HasMaxLength(40);
            b.Property(x => x.DeveloperId).HasMaxLength(UserIds.MaxLength);
            b.Property(x => x.PluginId).HasMaxLength(40);
            b.Property(x => x.UserId).HasMaxLength(200);
            b.Property(x => x.UsageInvoiceId).HasMaxLength(40);
            b.Property(x => x.Period).HasMaxLength(7);
            b.Property(x => x.Currency).HasMaxLength(3);
            b.HasIndex(x => new { x.DeveloperId, x.Period });
        });
        modelBuilder.Entity<EarningsBucket>(b =>
        {
            b.ToTable("EarningsBuckets");
            b.HasKey(x => new { x.DeveloperId, x.Period, x.PluginId, x.Currency, x.AvailableOn });
            b.Property(x => x.DeveloperId).HasMaxLength(UserIds.MaxLength);
            b.Property(x => x.Period).HasMaxLength(7);
            b.Property(x => x.PluginId).HasMaxLength(40);
            b.Property(x => x.Currency).HasMaxLength(3);
        });
        modelBuilder.Entity<InstallStat>(b =>
        {
            b.ToTable("InstallStats");
            b.HasKey(x => new { x.DeveloperId, x.Period, x.PluginId });
            b.Property(x => x.DeveloperId).HasMaxLength(UserIds.MaxLength);
            b.Property(x => x.Period).HasMaxLength(7);
            b.Property(x => x.PluginId).HasMaxLength(40);
        });
        modelBuilder.Entity<Payout>(b =>
        {
            b.ToTable("Payouts");
            b.HasKey(p => p.Id);
            b.Property(p => p.Id).HasMaxLength(40);
            b.Property(p => p.DeveloperId).HasMaxLength(UserIds.MaxLength);
            b.Property(p => p.Period).HasMaxLength(7);
            b.Property(p => p.Currency).HasMaxLength(3);
            b.Property(p => p.StripeAccountId).HasMaxLength(255);
            b.Property(p => p.IdempotencyKey).HasMaxLength(255);
            b.Property(p => p.Status).HasMaxLength(20);
            b.Property(p => p.TransferId).HasMaxLength(255);
            b.Property(p => p.LastError).HasMaxLength(2000);
            b.HasIndex(p => new { p.DeveloperId, p.Period, p.Currency }).IsUnique();
            b.HasIndex(p => new { p.Status, p.Period });
            b.HasIndex(p => p.TransferId);
        });
        modelBuilder.Entity<StripeCall>(b =>
        {
            b.ToTable("StripeCalls");
            b.HasKey(c => c.Id);
            b.Property(c => c.Id).HasMaxLength(40);
            b.Property(c => c.Kind).HasMaxLength(40);
            b.Property(c => c.IdempotencyKey).HasMaxLength(255);
            b.Property(c => c.RevenueEventId).HasMaxLength(40);
            b.Property(c => c.TransferId).HasMaxLength(255);
            b.Property(c => c.Currency).HasMaxLength(3);
            b.Property(c => c.InstallId).HasMaxLength(40);
            b.Property(c => c.SubscriptionId).HasMaxLength(255);
            b.Property(c => c.SubscriptionItemId).HasMaxLength(255);
            b.Property(c => c.Status).HasMaxLength(20);
            b.Property(c => c.LeaseToken).HasMaxLength(40);
            b.Property(c => c.LastError).HasMaxLength(2000);
            b.Property(c => c.ResultId).HasMaxLength(255);
            b.HasIndex(c => c.IdempotencyKey).IsUnique();
            b.HasIndex(c => new { c.Status, c.NextAttemptAt });
            b.HasIndex(c => c.LeaseToken);
        });
    }
}
