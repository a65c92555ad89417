using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Referrals.Data;

/// <summary>The Referrals module's own database (SQLite file <c>referrals.db</c> by default), with its outbox and inbox.</summary>
internal sealed class ReferralsDbContext(DbContextOptions<ReferralsDbContext> options) : ModuleDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
    }
}
