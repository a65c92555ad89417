using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Modules;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents;

namespace Monetization.Platform.Tests.ThrowAwayModule;

// A throw-away module used only by the platform tests: one entity, one request slice, one event, two consumers.
// It is added to the test Host the way a real module is (AddModule), without touching the Host.

public sealed record NoteWritten(Guid EventId, DateTimeOffset OccurredAt, string NoteId, string Text) : IIntegrationEvent;

public sealed class NotesModule : IModule
{
    public string Name => "Notes";

    public void Register(ModuleBuilder module)
    {
        module.AddDbContext<NotesDbContext>();
        module.IntegrationEvent<NoteWritten>("tests.note_written");
        module.Services.AddSingleton<ConsumerLog>();
    }
}

public sealed class Note
{
    public string Id { get; set; } = "";

    public string Text { get; set; } = "";
}

public sealed class SeenNote
{
    public string NoteId { get; set; } = "";

    public string Consumer { get; set; } = "";
}

public sealed class NotesDbContext(DbContextOptions<NotesDbContext> options) : ModuleDbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();

    public DbSet<SeenNote> Seen => Set<SeenNote>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Note>().HasKey(n => n.Id);
        modelBuilder.Entity<SeenNote>().HasKey(n => new { n.NoteId, n.Consumer });
    }
}

[DbContext(typeof(NotesDbContext))]
[Migration("20261121000001_Initial")]
public sealed class NotesInitial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateOutboxAndInbox();
        migrationBuilder.AddOutboxTraceParent(); // issue 18: a new module takes every outbox step in its initial migration
        migrationBuilder.IndexPendingOutboxRows();
        migrationBuilder.CreateTable(
            name: "Notes",
            columns: t => new { Id = t.Column<string>(type: "TEXT", nullable: false), Text = t.Column<string>(type: "TEXT", nullable: false) },
            constraints: t => t.PrimaryKey("PK_Notes", x => x.Id));
        migrationBuilder.CreateTable(
            name: "Seen",
            columns: t => new { NoteId = t.Column<string>(type: "TEXT", nullable: false), Consumer = t.Column<string>(type: "TEXT", nullable: false) },
            constraints: t => t.PrimaryKey("PK_Seen", x => new { x.NoteId, x.Consumer }));
    }
}

/// <summary>What the consumers did, and how the flaky one should behave.</summary>
public sealed class ConsumerLog
{
    private int _reliableRuns;
    private int _flakyRuns;

    public int ReliableRuns => _reliableRuns;

    public int FlakyRuns => _flakyRuns;

    /// <summary>How many more times the flaky consumer throws (int.MaxValue: always).</summary>
    public int FlakyFailuresLeft { get; set; }

    /// <summary>A note text the flaky consumer always fails on (null: none).</summary>
    public string? PoisonText { get; set; }

    public void Reliable() => Interlocked.Increment(ref _reliableRuns);

    public void Flaky() => Interlocked.Increment(ref _flakyRuns);
}

public static class WriteNote
{
    public sealed record Request(string Text, bool FailBeforeCommit) : IRequest<string>;

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.Text).NotEmpty().MaximumLength(100);
    }

    public sealed class Handler(NotesDbContext db, TimeProvider clock) : IRequestHandler<Request, string>
    {
        public async Task<string> Handle(Request request, CancellationToken cancellationToken)
        {
            var note = new Note { Id = "note_" + Guid.NewGuid().ToString("N")[..12], Text = request.Text };
            db.Notes.Add(note);
            db.AddIntegrationEvent(new NoteWritten(Guid.NewGuid(), clock.GetUtcNow(), note.Id, note.Text));
            if (request.FailBeforeCommit)
            {
                throw new InvalidOperationException("Simulated crash before commit.");
            }

            await db.SaveChangesAsync(cancellationToken);
            return note.Id;
        }
    }
}

// Registered before the reliable one so that a failure of the first does not stop the second (MediatR 5 would).
public sealed class FlakyConsumer(NotesDbContext db, TimeProvider clock, ConsumerLog log) : IdempotentConsumer<NoteWritten, NotesDbContext>(db, clock)
{
    protected override Task HandleAsync(NoteWritten integrationEvent, CancellationToken cancellationToken)
    {
        log.Flaky();
        if (integrationEvent.Text == log.PoisonText)
        {
            throw new InvalidOperationException("Flaky consumer cannot handle this note.");
        }

        if (log.FlakyFailuresLeft > 0)
        {
            log.FlakyFailuresLeft--;
            throw new InvalidOperationException("Flaky consumer failed on purpose.");
        }

        Db.Seen.Add(new SeenNote { NoteId = integrationEvent.NoteId, Consumer = "flaky" });
        return Task.CompletedTask;
    }
}

public sealed class ReliableConsumer(NotesDbContext db, TimeProvider clock, ConsumerLog log) : IdempotentConsumer<NoteWritten, NotesDbContext>(db, clock)
{
    protected override Task HandleAsync(NoteWritten integrationEvent, CancellationToken cancellationToken)
    {
        log.Reliable();
        Db.Seen.Add(new SeenNote { NoteId = integrationEvent.NoteId, Consumer = "reliable" });
        return Task.CompletedTask;
    }
}
