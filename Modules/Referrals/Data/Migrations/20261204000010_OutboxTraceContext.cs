using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Referrals.Data.Migrations;

/// <summary>Issue 18: the outbox keeps the W3C traceparent of the span that raised each event, and indexes its dead letters.</summary>
[DbContext(typeof(ReferralsDbContext))]
[Migration("20261204000010_OutboxTraceContext")]
internal sealed class OutboxTraceContext : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.AddOutboxTraceContext();

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropOutboxTraceContext();
}
