using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Monetization.BuildingBlocks.Data;

/// <summary>A stored answer to a POST sent with an <c>Idempotency-Key</c> header (kept 24 hours).</summary>
public sealed class IdempotencyRecord
{
    /// <summary>Name of the API key that sent it (keys are scoped per caller, as Stripe's are per account).</summary>
    public string Principal { get; set; } = "";

    /// <summary>The <c>Idempotency-Key</c> header.</summary>
    public string Key { get; set; } = "";

    /// <summary>Method and path of the first request.</summary>
    public string Target { get; set; } = "";

    /// <summary>SHA-256 (hex) of method, path and body of the first request.</summary>
    public string RequestHash { get; set; } = "";

    /// <summary>HTTP status stored; null while the first request is still running.</summary>
    public int? Status { get; set; }

    /// <summary>Response content type.</summary>
    public string? ContentType { get; set; }

    /// <summary>Response body bytes.</summary>
    public byte[]? Body { get; set; }

    /// <summary>When the first request arrived, UTC ticks.</summary>
    public long CreatedAtTicks { get; set; }
}

/// <summary>
/// The Host's own small database (<c>{DataDirectory}/platform.db</c>, or the <c>platform</c> schema on PostgreSQL): idempotency
/// records of the HTTP API.
/// </summary>
public sealed class PlatformDbContext(DbContextOptions<PlatformDbContext> options) : DbContext(options)
{
    private readonly string? _postgresSchema = ModuleDatabases.PostgresSchemaOf(options);

    /// <summary>Stored idempotent responses.</summary>
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        if (_postgresSchema is not null)
        {
            modelBuilder.HasDefaultSchema(_postgresSchema);
        }

        modelBuilder.Entity<IdempotencyRecord>(b =>
        {
            b.HasKey(r => new { r.Principal, r.Key });
            b.HasIndex(r => r.CreatedAtTicks);
        });
    }
}

/// <summary>Creates the idempotency table.</summary>
[DbContext(typeof(PlatformDbContext))]
[Migration("20261121000000_PlatformInitial")]
public sealed class PlatformInitial : Migration
{
    /// <inheritdoc />
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "IdempotencyRecords",
            columns: table => new
            {
                Principal = table.Column<string>(type: "TEXT", nullable: false),
                Key = table.Column<string>(type: "TEXT", nullable: false),
                Target = table.Column<string>(type: "TEXT", nullable: false),
                RequestHash = table.Column<string>(type: "TEXT", nullable: false),
                Status = table.Column<int>(type: "INTEGER", nullable: true),
                ContentType = table.Column<string>(type: "TEXT", nullable: true),
                Body = table.Column<byte[]>(type: "BLOB", nullable: true),
                CreatedAtTicks = table.Column<long>(type: "INTEGER", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_IdempotencyRecords", x => new { x.Principal, x.Key }));
        migrationBuilder.CreateIndex("IX_IdempotencyRecords_CreatedAtTicks", "IdempotencyRecords", "CreatedAtTicks");
    }
}
