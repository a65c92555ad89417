using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Monetization.BuildingBlocks.Outbox;

/// <summary>
/// The outbox and inbox tables, for each module's hand-written initial migration (the shape
/// <see cref="ModuleDbContext"/> maps; a schema test per module and provider proves they agree), in the column types of the
/// migration's provider: SQLite's (times as UTC ticks) or PostgreSQL's (<c>timestamptz</c>, <c>uuid</c>, identity), there in
/// the module's schema.
/// </summary>
public static class OutboxMigrations
{
    /// <summary>
    /// The index of the rows a dispatcher may still claim (ADR 0083): <c>Sequence</c>, filtered to rows neither delivered nor
    /// dead-lettered, so a claim (oldest due rows first) and the "anything due" probe read the open rows in order and stop at
    /// their limit, however many delivered rows the table keeps and however long the backlog is.
    /// </summary>
    public const string PendingIndex = "IX_OutboxMessages_Pending";

    /// <summary>The filter of <see cref="PendingIndex"/>, in SQL both SQLite and PostgreSQL read.</summary>
    public const string PendingFilter = "\"DispatchedAt\" IS NULL AND \"DeadLetteredAt\" IS NULL";

    /// <summary>The index the outbox had before <see cref="PendingIndex"/>: (<c>DispatchedAt</c>, <c>NextAttemptAt</c>).</summary>
    private const string DueIndex = "IX_OutboxMessages_DispatchedAt_NextAttemptAt";

    /// <summary>Creates <c>OutboxMessages</c> and <c>InboxMessages</c> with their indexes.</summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="schema">PostgreSQL: the module's schema (created when missing); ignored on SQLite.</param>
    public static void CreateOutboxAndInbox(this MigrationBuilder migrationBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        if (migrationBuilder.IsNpgsql())
        {
            CreatePostgresOutboxAndInbox(migrationBuilder, schema);
            return;
        }

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
        migrationBuilder.CreateIndex(DueIndex, "OutboxMessages", ["DispatchedAt", "NextAttemptAt"]);

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
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="schema">PostgreSQL: the module's schema; ignored on SQLite.</param>
    public static void AddOutboxTraceParent(this MigrationBuilder migrationBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        var postgres = migrationBuilder.IsNpgsql();
        migrationBuilder.AddColumn<string>("TraceParent", "OutboxMessages", schema: postgres ? schema : null, type: postgres ? "text" : "TEXT", nullable: true);
    }

    /// <summary>
    /// Replaces the (<c>DispatchedAt</c>, <c>NextAttemptAt</c>) index by <see cref="PendingIndex"/>, for each module's
    /// migration of that name (ADR 0083). With the old index a claim collected every due row and sorted them: its cost
    /// grew with the backlog, so draining a backlog after an outage grew with its square.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="schema">PostgreSQL: the module's schema; ignored on SQLite.</param>
    public static void IndexPendingOutboxRows(this MigrationBuilder migrationBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        var inSchema = migrationBuilder.IsNpgsql() ? schema : null;
        migrationBuilder.DropIndex(DueIndex, "OutboxMessages", inSchema);
        migrationBuilder.CreateIndex(PendingIndex, "OutboxMessages", "Sequence", schema: inSchema, filter: PendingFilter);
    }

    /// <summary>Undoes <see cref="IndexPendingOutboxRows"/>.</summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="schema">PostgreSQL: the module's schema; ignored on SQLite.</param>
    public static void UnindexPendingOutboxRows(this MigrationBuilder migrationBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        var inSchema = migrationBuilder.IsNpgsql() ? schema : null;
        migrationBuilder.DropIndex(PendingIndex, "OutboxMessages", inSchema);
        migrationBuilder.CreateIndex(DueIndex, "OutboxMessages", ["DispatchedAt", "NextAttemptAt"], schema: inSchema);
    }

    private static void CreatePostgresOutboxAndInbox(MigrationBuilder migrationBuilder, string? schema)
    {
        const string Time = "timestamp with time zone";
        if (schema is not null)
        {
            migrationBuilder.EnsureSchema(schema);
        }

        migrationBuilder.CreateTable(
            name: "OutboxMessages",
            schema: schema,
            columns: table => new
            {
                Sequence = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                EventId = table.Column<Guid>(type: "uuid", nullable: false),
                Type = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                Payload = table.Column<string>(type: "text", nullable: false),
                OccurredAt = table.Column<DateTimeOffset>(type: Time, nullable: false),
                Attempts = table.Column<int>(type: "integer", nullable: false),
                NextAttemptAt = table.Column<DateTimeOffset>(type: Time, nullable: false),
                DispatchedAt = table.Column<DateTimeOffset>(type: Time, nullable: true),
                DeadLetteredAt = table.Column<DateTimeOffset>(type: Time, nullable: true),
                LastError = table.Column<string>(type: "text", nullable: true),
                LockedUntil = table.Column<DateTimeOffset>(type: Time, nullable: true),
                LockedBy = table.Column<string>(type: "text", nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_OutboxMessages", x => x.Sequence));
        migrationBuilder.CreateIndex("IX_OutboxMessages_EventId", "OutboxMessages", "EventId", schema: schema, unique: true);
        migrationBuilder.CreateIndex(DueIndex, "OutboxMessages", ["DispatchedAt", "NextAttemptAt"], schema: schema);

        migrationBuilder.CreateTable(
            name: "InboxMessages",
            schema: schema,
            columns: table => new
            {
                EventId = table.Column<Guid>(type: "uuid", nullable: false),
                Consumer = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                ProcessedAt = table.Column<DateTimeOffset>(type: Time, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_InboxMessages", x => new { x.EventId, x.Consumer }));
    }

    /// <summary>Drops <c>OutboxMessages.TraceParent</c>.</summary>
    public static void DropOutboxTraceParent(this MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropColumn("TraceParent", "OutboxMessages");
    }
}
