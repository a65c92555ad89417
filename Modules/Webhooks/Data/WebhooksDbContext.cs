using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Outbox;
using Monetization.Webhooks.Domain;

namespace Monetization.Webhooks.Data;

/// <summary>The Webhooks module's own database (SQLite file <c>webhooks.db</c> by default): endpoints, messages, deliveries, inbox.</summary>
internal sealed class WebhooksDbContext(DbContextOptions<WebhooksDbContext> options) : ModuleDbContext(options)
{
    public DbSet<WebhookEndpoint> Endpoints => Set<WebhookEndpoint>();

    public DbSet<WebhookMessage> Messages => Set<WebhookMessage>();

    public DbSet<WebhookDelivery> Deliveries => Set<WebhookDelivery>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<WebhookEndpoint>(b =>
        {
            b.ToTable("WebhookEndpoints");
            b.HasKey(e => e.Id);
            b.Property(e => e.Url).HasMaxLength(2048);
            b.Property(e => e.Description).HasMaxLength(500);
            b.Ignore(e => e.EventTypeList);
        });
        modelBuilder.Entity<WebhookMessage>(b =>
        {
            b.ToTable("WebhookMessages");
            b.HasKey(m => m.Id);
        });
        modelBuilder.Entity<WebhookDelivery>(b =>
        {
            b.ToTable("WebhookDeliveries");
            b.HasKey(d => d.Sequence);
            b.Property(d => d.Sequence).ValueGeneratedOnAdd();
            b.Property(d => d.Id).IsRequired();
            b.HasIndex(d => d.Id).IsUnique();
            b.HasIndex(d => new { d.EndpointId, d.MessageId }).IsUnique();
            b.HasIndex(d => new { d.Status, d.NextAttemptAt });
            b.HasIndex(d => new { d.EndpointId, d.Sequence });
        });
    }
}
