using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Referrals.Data.Migrations;

/// <summary>Issue 18: outbox rows keep the trace they were raised in (<c>OutboxMessages.TraceParent</c>).</summary>
[DbContext(typeof(ReferralsDbContext))]
[Migration("20261204100000_OutboxTraceParent")]
internal sealed class OutboxTraceParent : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.AddOutboxTraceParent();

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropOutboxTraceParent();
}
