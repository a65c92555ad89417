using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.Referrals.Domain;

namespace Monetization.Referrals.Data;

/// <summary>The Referrals module's own database (SQLite file <c>referrals.db</c> by default), with its outbox and inbox.</summary>
internal sealed class ReferralsDbContext(DbContextOptions<ReferralsDbContext> options) : ModuleDbContext(options)
{
    public DbSet<ReferralUser> Users => Set<ReferralUser>();

    /// <summary>The user's row, or a new one added to the context (saved by the caller's <c>SaveChanges</c>).</summary>
    public async Task<ReferralUser> FindOrAddUserAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var user = await Users.FindAsync([userId], cancellationToken);
        if (user is null)
        {
            user = ReferralUser.New(userId, now);
            Users.Add(user);
        }

        return user;
    }

    public DbSet<Referral> Referrals => Set<Referral>();

    public DbSet<CreditEntry> CreditEntries => Set<CreditEntry>();

    public DbSet<ErasedUser> ErasedUsers => Set<ErasedUser>();

    public DbSet<EarlyRefund> EarlyRefunds => Set<EarlyRefund>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ReferralUser>(b =>
        {
            b.ToTable("ReferralUsers");
            b.HasKey(u => u.UserId);
            b.Property(u => u.UserId).HasMaxLength(128);
            b.Property(u => u.Code).HasMaxLength(8);
            b.HasIndex(u => u.Code).IsUnique();
            b.HasIndex(u => u.StripeCustomerId);
            b.Ignore(u => u.IsPaying);
        });
        modelBuilder.Entity<Referral>(b =>
        {
            b.ToTable("Referrals");
            b.HasKey(r => r.Id);
            b.HasIndex(r => r.ReferredUserId).IsUnique();
            b.HasIndex(r => new { r.ReferrerUserId, r.CapturedAt });
            b.HasIndex(r => r.FirstChargeId);
            b.HasIndex(r => r.FirstInvoiceId);
        });
        modelBuilder.Entity<CreditEntry>(b =>
        {
            b.ToTable("CreditEntries");
            b.HasKey(e => e.Sequence);
            b.Property(e => e.Sequence).ValueGeneratedOnAdd();
            b.Property(e => e.Id).IsRequired();
            b.HasIndex(e => e.Id).IsUnique();
            b.HasIndex(e => e.IdempotencyKey).IsUnique();
            b.HasIndex(e => new { e.UserId, e.Sequence });
            b.HasIndex(e => e.ReferralId);
            b.Property(e => e.Note).HasMaxLength(500);
        });
        modelBuilder.Entity<ErasedUser>(b =>
        {
            b.ToTable("ErasedUsers");
            b.HasKey(e => e.UserIdHash);
        });
        modelBuilder.Entity<EarlyRefund>(b =>
        {
            b.ToTable("EarlyRefunds");
            b.HasKey(e => e.ChargeId);
            b.HasIndex(e => e.UserId);
        });
    }
}
