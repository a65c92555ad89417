using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Data;

/// <summary>The Usage module's own database (SQLite file <c>usage.db</c> by default), with its outbox and inbox.</summary>
internal sealed class UsageDbContext(DbContextOptions<UsageDbContext> options) : ModuleDbContext(options)
{
    /// <summary>Raw usage events (written by ingestion's raw SQL, never tracked).</summary>
    public DbSet<UsageEventRecord> Events => Set<UsageEventRecord>();

    /// <summary>Month rollups per (user, period, meter, dimensions).</summary>
    public DbSet<UsageRollup> Rollups => Set<UsageRollup>();

    /// <summary>Day totals per (day, user, meter).</summary>
    public DbSet<UsageDayTotal> DayTotals => Set<UsageDayTotal>();

    /// <summary>Distinct values of unique_count meters.</summary>
    public DbSet<UsageUniqueValue> UniqueValues => Set<UsageUniqueValue>();

    /// <summary>Users' plans and Stripe customers.</summary>
    public DbSet<UsageAccount> Accounts => Set<UsageAccount>();

    /// <summary>Thresholds crossed.</summary>
    public DbSet<ThresholdAlert> ThresholdAlerts => Set<ThresholdAlert>();

    /// <summary>Held quota units.</summary>
    public DbSet<QuotaAllocation> QuotaAllocations => Set<QuotaAllocation>();

    /// <summary>Bought quota slots.</summary>
    public DbSet<QuotaSlotGrant> QuotaSlotGrants => Set<QuotaSlotGrant>();

    /// <summary>Checkout sessions created by Usage.</summary>
    public DbSet<UsageCheckout> Checkouts => Set<UsageCheckout>();

    /// <summary>Credit grants.</summary>
    public DbSet<CreditGrant> CreditGrants => Set<CreditGrant>();

    /// <summary>Credit ledger.</summary>
    public DbSet<CreditLedgerEntry> CreditLedger => Set<CreditLedgerEntry>();

    /// <summary>Usage invoices.</summary>
    public DbSet<UsageInvoice> Invoices => Set<UsageInvoice>();

    /// <summary>Usage invoice lines.</summary>
    public DbSet<UsageInvoiceLine> InvoiceLines => Set<UsageInvoiceLine>();

    /// <summary>Prices of usage-priced plugins (from Marketplace's <c>PluginUsagePriced</c>).</summary>
    public DbSet<PluginPrice> PluginPrices => Set<PluginPrice>();

    /// <summary>Invoice runs per period.</summary>
    public DbSet<UsageInvoiceRun> InvoiceRuns => Set<UsageInvoiceRun>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<UsageEventRecord>(b =>
        {
            b.ToTable("UsageEvents");
            b.HasKey(e => e.EventId);
        });
        modelBuilder.Entity<UsageRollup>(b =>
        {
            b.ToTable("UsageRollups");
            b.HasKey(r => new { r.UserId, r.Period, r.Meter, r.Dimensions });
        });
        modelBuilder.Entity<UsageDayTotal>(b =>
        {
            b.ToTable("UsageDayTotals");
            b.HasKey(d => new { d.Day, d.UserId, d.Meter });
            b.Property(d => d.Day).ValueGeneratedNever();
        });
        modelBuilder.Entity<UsageUniqueValue>(b =>
        {
            b.ToTable("UsageUniqueValues");
            b.HasKey(v => new { v.UserId, v.Period, v.Meter, v.Dimensions, v.Value });
        });
        modelBuilder.Entity<UsageAccount>(b =>
        {
            b.ToTable("UsageAccounts");
            b.HasKey(a => a.UserId);
        });
        modelBuilder.Entity<ThresholdAlert>(b =>
        {
            b.ToTable("ThresholdAlerts");
            b.HasKey(a => new { a.UserId, a.Period, a.Meter, a.Threshold });
        });
        modelBuilder.Entity<QuotaAllocation>(b =>
        {
            b.ToTable("QuotaAllocations");
            b.HasKey(a => new { a.UserId, a.Resource, a.Key });
        });
        modelBuilder.Entity<QuotaSlotGrant>(b =>
        {
            b.ToTable("QuotaSlotGrants");
            b.HasKey(s => s.Id);
            b.HasIndex(s => s.CheckoutSessionId).IsUnique();
            b.HasIndex(s => new { s.UserId, s.Resource });
        });
        modelBuilder.Entity<UsageCheckout>(b =>
        {
            b.ToTable("UsageCheckouts");
            b.HasKey(c => c.SessionId);
            b.HasIndex(c => c.UserId);
        });
        modelBuilder.Entity<CreditGrant>(b =>
        {
            b.ToTable("CreditGrants");
            b.HasKey(g => g.Id);
            b.HasIndex(g => g.UserId);
            b.HasIndex(g => g.CheckoutSessionId).IsUnique();
        });
        modelBuilder.Entity<CreditLedgerEntry>(b =>
        {
            b.ToTable("CreditLedgerEntries");
            b.HasKey(e => e.Id);
            b.HasIndex(e => new { e.UserId, e.CreatedAt });
        });
        modelBuilder.Entity<UsageInvoice>(b =>
        {
            b.ToTable("UsageInvoices");
            b.HasKey(i => i.Id);
            b.HasIndex(i => i.Number).IsUnique();
            b.HasIndex(i => new { i.UserId, i.Period }).IsUnique();
            b.HasIndex(i => new { i.Period, i.Status });
            b.HasMany(i => i.Lines).WithOne().HasForeignKey(l => l.InvoiceId);
        });
        modelBuilder.Entity<UsageInvoiceLine>(b =>
        {
            b.ToTable("UsageInvoiceLines");
            b.HasKey(l => l.Id);
            b.Property(l => l.PriceSource).HasDefaultValue(PriceSources.Model);
            b.Property(l => l.InputUnitAmountDecimal).HasDefaultValue("0");
            b.Property(l => l.OutputUnitAmountDecimal).HasDefaultValue("0");
            b.HasIndex(l => l.InvoiceId);
        });
        modelBuilder.Entity<PluginPrice>(b =>
        {
            b.ToTable("PluginPrices");
            b.HasKey(p => p.PluginId);
        });
        modelBuilder.Entity<UsageInvoiceRun>(b =>
        {
            b.ToTable("UsageInvoiceRuns");
            b.HasKey(r => r.Period);
        });
    }
}
