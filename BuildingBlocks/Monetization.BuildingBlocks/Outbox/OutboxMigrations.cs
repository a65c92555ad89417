using Microsoft.EntityFrameworkCore.Migrations;

namespace Monetization.BuildingBlocks.Outbox;

/// <summary>
/// The outbox and inbox tables, for each module's hand-written migrations (the shape <see cref="ModuleDbContext"/> maps; a
/// schema test per module proves they agree). A module's initial migration calls <see cref="CreateOutboxAndInbox"/>, and
/// <see cref="AddOutboxTraceContext"/> either there right after it (a new module) or in a later migration of its own (a
/// module whose databases already exist): every step of the outbox's shape is one helper here, applied once per module.
/// </summary>
public static class OutboxMigrations
{
    /// <summary>Length limit of <c>OutboxMessages.TraceParent</c>: a version-00 <c>traceparent</c> is 55 characters; later versions may append fields.</summary>
    public const int TraceParentMaxLength = 128;

    /// <summary>Name of the partial index over dead-lettered rows.</summary>
    public const string DeadLetterIndex = "IX_OutboxMessages_DeadLetteredAt";

    /// <summary>
    /// Issue 18: adds <c>OutboxMessages.TraceParent</c> (the W3C <c>traceparent</c> of the span that raised the event,
    /// nullable: rows written before this step, or while nothing recorded spans, have none) and a partial index over the
    /// dead-lettered rows, so the dead-letter gauge and counts read only those rows instead of the whole table.
    /// </summary>
    public static void AddOutboxTraceContext(this MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<string>("TraceParent", "OutboxMessages", type: "TEXT", maxLength: TraceParentMaxLength, nullable: true);
        migrationBuilder.CreateIndex(DeadLetterIndex, "OutboxMessages", "DeadLetteredAt", filter: "DeadLetteredAt IS NOT NULL");
    }

    /// <summary>Reverts <see cref="AddOutboxTraceContext"/>.</summary>
    public static void DropOutboxTraceContext(this MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropIndex(DeadLetterIndex, "OutboxMessages");
        migrationBuilder.DropColumn("TraceParent", "OutboxMessages");
    }

    /// <summary>Creates <c>OutboxMessages</c> and <c>InboxMessages</c> with their indexes, in their first shape (follow with <see cref="AddOutboxTraceContext"/>).</summary>
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
}
