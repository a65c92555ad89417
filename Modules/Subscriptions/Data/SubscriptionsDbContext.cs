using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Subscriptions.Data;

/// <summary>The Subscriptions module's own database (SQLite file <c>subscriptions.db</c> by default), with its outbox and inbox.</summary>
internal sealed class SubscriptionsDbContext(DbContextOptions<SubscriptionsDbContext> options) : ModuleDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
    }
}
