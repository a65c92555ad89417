using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Usage.Data;

/// <summary>The Usage module's own database (SQLite file <c>usage.db</c> by default), with its outbox and inbox.</summary>
internal sealed class UsageDbContext(DbContextOptions<UsageDbContext> options) : ModuleDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
    }
}
