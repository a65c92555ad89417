using Microsoft.EntityFrameworkCore.Migrations;

namespace Monetization.BuildingBlocks.Outbox;

/// <summary>
/// The outbox and inbox tables, for each module's hand-written initial migration (the shape
/// <see cref="ModuleDbContext"/> maps; a schema test per module proves they agree).
/// </summary>
public static class OutboxMigrations
{
    /// <summary>Creates <c>OutboxMessages</c> and <c>InboxMessages</c> with their indexes.</summary>
    public static void CreateOutboxAndInbox(this MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "OutboxMessages",
            columns: table => new
            {
                Sequence = table.Column<long>(type: "INTEGER", nullable: false).Annotation("Sqlite:Autoincrement", true),
                EventId = table.Column<Guid>(type: "TEXT", nullable: false),
                Type = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                Payload = table.Column<string>(type: "TEXT", nullable: false),
                OccurredAt = table.Column<long>(type: "INTEGER", nullable: false),
                Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                DispatchedAt = table.Column<long>(type: "INTEGER", nullable: true),
                DeadLetteredAt = table.Column<long>(type: "INTEGER", nullable: true),
                LastError = table.Column<string>(type: "TEXT", nullable: true),
                LockedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                LockedBy = table.Column<string>(type: "TEXT", nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_OutboxMessages", x => x.Sequence));
        migrationBuilder.CreateIndex("IX_OutboxMessages_EventId", "OutboxMessages", "EventId", unique: true);
        migrationBuilder.CreateIndex("IX_OutboxMessages_DispatchedAt_NextAttemptAt", "OutboxMessages", ["DispatchedAt", "NextAttemptAt"]);

        migrationBuilder.CreateTable(
            name: "InboxMessages",
            columns: table => new
            {
                EventId = table.Column<Guid>(type: "TEXT", nullable: false),
                Consumer = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                ProcessedAt = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_InboxMessages", x => new { x.EventId, x.Consumer }));
    }

    /// <summary>Adds <c>OutboxMessages.TraceParent</c> (issue 18: the trace an event was raised in), for each module's migration of that name.</summary>
    public static void AddOutboxTraceParent(this MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<string>("TraceParent", "OutboxMessages", type: "TEXT", nullable: true);
    }

    /// <summary>Drops <c>OutboxMessages.TraceParent</c>.</summary>
    public static void DropOutboxTraceParent(this MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropColumn("TraceParent", "OutboxMessages");
    }
}
