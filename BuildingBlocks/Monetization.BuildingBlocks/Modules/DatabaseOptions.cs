namespace Monetization.BuildingBlocks.Modules;

/// <summary>The <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    /// <summary><c>Sqlite</c> (the default and, in this release, the only provider).</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>Folder of the per-module SQLite files, relative to the content root unless absolute (default <c>./data</c>); created at start.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Seconds a command waits for SQLite's write lock before failing (default 30).</summary>
    public int BusyTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Milliseconds between background checkpoints of each module's write-ahead log (default 100, at least 10); see
    /// <see cref="Data.SqliteCheckpointer"/>.
    /// </summary>
    public int CheckpointIntervalMilliseconds { get; set; } = 100;
}
