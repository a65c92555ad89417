using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Monetization.Usage.Data.Migrations;

/// <summary>
/// Issue 22: day totals move out of <c>UsageRollups</c> (where their period was the day <c>YYYY-MM-DD</c>) into their own
/// table, clustered by day, <c>UsageDayTotals</c> (<see cref="Domain.UsageDayTotal"/>). The stored day rows are carried over
/// in the same migration, so the usage summary by day answers as before.
/// </summary>
[DbContext(typeof(UsageDbContext))]
[Migration("20261205000001_DayTotals")]
internal sealed class DayTotals : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE "UsageDayTotals" (
                "Day" INTEGER NOT NULL,
                "UserId" TEXT NOT NULL,
                "Meter" TEXT NOT NULL,
                "Used" INTEGER NOT NULL,
                "InputTokens" INTEGER NOT NULL,
                "OutputTokens" INTEGER NOT NULL,
                "Events" INTEGER NOT NULL,
                CONSTRAINT "PK_UsageDayTotals" PRIMARY KEY ("Day", "UserId", "Meter")
            ) WITHOUT ROWID;
            """);
        migrationBuilder.Sql("""
            INSERT INTO "UsageDayTotals" ("Day", "UserId", "Meter", "Used", "InputTokens", "OutputTokens", "Events")
            SELECT CAST(replace("Period", '-', '') AS INTEGER), "UserId", "Meter", "Used", "InputTokens", "OutputTokens", "Events"
            FROM "UsageRollups" WHERE length("Period") = 10 AND "Dimensions" = '';
            """);
        migrationBuilder.Sql("""DELETE FROM "UsageRollups" WHERE length("Period") = 10;""");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            INSERT INTO "UsageRollups" ("UserId", "Period", "Meter", "Dimensions", "Used", "InputTokens", "OutputTokens", "Events", "UpdatedAt")
            SELECT "UserId", substr("Day", 1, 4) || '-' || substr("Day", 5, 2) || '-' || substr("Day", 7, 2), "Meter", '', "Used", "InputTokens",
                "OutputTokens", "Events", 0
            FROM "UsageDayTotals";
            """);
        migrationBuilder.Sql("""DROP TABLE "UsageDayTotals";""");
    }
}
