using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Monetization.BuildingBlocks.Outbox;

namespace Monetization.Platform.Tests.ThrowAwayModule.Postgres;

/// <summary>The throw-away module's PostgreSQL migration: a new module takes the outbox helpers in its own schema.</summary>
[DbContext(typeof(NotesDbContext))]
[Migration("20261204120000_PostgresInitial")]
public sealed class NotesPostgresInitial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateOutboxAndInbox("notes");
        migrationBuilder.AddOutboxTraceParent("notes");
        migrationBuilder.IndexPendingOutboxRows("notes");
        migrationBuilder.CreateTable(
            name: "Notes",
            schema: "notes",
            columns: t => new { Id = t.Column<string>(type: "text", nullable: false), Text = t.Column<string>(type: "text", nullable: false) },
            constraints: t => t.PrimaryKey("PK_Notes", x => x.Id));
        migrationBuilder.CreateTable(
            name: "Seen",
            schema: "notes",
            columns: t => new { NoteId = t.Column<string>(type: "text", nullable: false), Consumer = t.Column<string>(type: "text", nullable: false) },
            constraints: t => t.PrimaryKey("PK_Seen", x => new { x.NoteId, x.Consumer }));
    }
}
