namespace Monetization.BuildingBlocks.Modules;

/// <summary>The <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    /// <summary>
    /// <c>Sqlite</c> (the default: one file per module in <see cref="DataDirectory"/>) or <c>Postgres</c> (one database named by
    /// <c>ConnectionStrings:Postgres</c>, one schema per module; issue 17).
    /// </summary>
    public Data.DatabaseProvider Provider { get; set; } = Data.DatabaseProvider.Sqlite;

    /// <summary>Folder of the per-module SQLite files, relative to the content root unless absolute (default <c>./data</c>); created at start.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Seconds a command may take, waiting for SQLite's write lock included, before failing (default 30; PostgreSQL's command timeout too).</summary>
    public int BusyTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Milliseconds between background checkpoints of each module's write-ahead log (default 100, at least 10); see
    /// <see cref="Data.SqliteCheckpointer"/>.
    /// </summary>
    public int CheckpointIntervalMilliseconds { get; set; } = 100;

    /// <summary>
    /// Size of a module's write-ahead log, in 4 KiB pages (default 12,288: 48 MiB, at least 16), from which the background
    /// checkpoint ends with a short catch-up inside the database's write gate so that the next writer starts the log over;
    /// see <see cref="Data.SqliteCheckpointer"/>. Each catch-up holds the writers back for a few milliseconds, so the
    /// threshold keeps them as rare as it can while staying clear of the writers' own 16,384-page backstop.
    /// </summary>
    public int LogRestartPages { get; set; } = 12_288;
}
