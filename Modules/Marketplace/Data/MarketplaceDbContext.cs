using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Marketplace.Data;

/// <summary>The Marketplace module's own database (SQLite file <c>marketplace.db</c> by default), with its outbox and inbox.</summary>
internal sealed class MarketplaceDbContext(DbContextOptions<MarketplaceDbContext> options) : ModuleDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
    }
}
