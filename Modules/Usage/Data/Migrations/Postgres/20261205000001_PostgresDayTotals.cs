using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Monetization.Usage.Data.Migrations.Postgres;

/// <summary>
/// Issue 22 on PostgreSQL: day totals move out of <c>UsageRollups</c> into <c>UsageDayTotals</c>
/// (<see cref="Domain.UsageDayTotal"/>), the stored day rows carried over (the SQLite migration <c>DayTotals</c> does the same).
/// </summary>
[DbContext(typeof(UsageDbContext))]
[Migration("20261205000001_PostgresDayTotals")]
internal sealed class PostgresDayTotals : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "UsageDayTotals",
            schema: "usage",
            columns: table => new
            {
                Day = table.Column<int>(type: "integer", nullable: false),
                UserId = table.Column<string>(type: "text", nullable: false),
                Meter = table.Column<string>(type: "text", nullable: false),
                Used = table.Column<long>(type: "bigint", nullable: false),
                InputTokens = table.Column<long>(type: "bigint", nullable: false),
                OutputTokens = table.Column<long>(type: "bigint", nullable: false),
                Events = table.Column<long>(type: "bigint", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_UsageDayTotals", x => new { x.Day, x.UserId, x.Meter }));
        migrationBuilder.Sql("""
            INSERT INTO usage."UsageDayTotals" ("Day", "UserId", "Meter", "Used", "InputTokens", "OutputTokens", "Events")
            SELECT replace("Period", '-', '')::integer, "UserId", "Meter", "Used", "InputTokens", "OutputTokens", "Events"
            FROM usage."UsageRollups" WHERE length("Period") = 10 AND "Dimensions" = '';
            """);
        migrationBuilder.Sql("""DELETE FROM usage."UsageRollups" WHERE length("Period") = 10;""");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            INSERT INTO usage."UsageRollups" ("UserId", "Period", "Meter", "Dimensions", "Used", "InputTokens", "OutputTokens", "Events", "UpdatedAt")
            SELECT "UserId", to_char(to_date("Day"::text, 'YYYYMMDD'), 'YYYY-MM-DD'), "Meter", '', "Used", "InputTokens", "OutputTokens", "Events", now()
            FROM usage."UsageDayTotals";
            """);
        migrationBuilder.DropTable(name: "UsageDayTotals", schema: "usage");
    }
}
