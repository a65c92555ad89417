using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Monetization.Referrals.Data.Migrations;

/// <summary>Issue 20: an admin's manual grant of access days keeps the admin's reason (<c>CreditEntries.Note</c>).</summary>
[DbContext(typeof(ReferralsDbContext))]
[Migration("20261203000002_ManualGrants")]
internal sealed class ManualGrants : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<string>("Note", "CreditEntries", type: "TEXT", maxLength: 500, nullable: true);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropColumn("Note", "CreditEntries");
}
