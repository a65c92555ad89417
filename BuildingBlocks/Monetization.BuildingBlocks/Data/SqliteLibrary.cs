using SQLitePCL;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// Process-wide settings of the bundled SQLite library (<c>e_sqlite3</c>, built with <c>SQLITE_THREADSAFE=1</c>), made
/// before the process opens its first SQLite connection (<c>sqlite3_config</c>, https://sqlite.org/c3ref/config.html,
/// refuses with <c>SQLITE_MISUSE</c> once the library is in use):
/// <list type="bullet">
/// <item><c>SQLITE_CONFIG_MULTITHREAD</c>: no mutex per connection. In the default serialized mode every API call
/// (each bind, step and reset of ingestion's prepared statements) locks and unlocks the connection's mutex, so that
/// two threads could share one connection. Nothing here does: an ADO.NET connection is used by one operation at a
/// time (EF Core throws on concurrent use of a context), the driver's pool hands a connection to one owner, and
/// <c>sqlite3_interrupt</c>, which cancellation calls from another thread, takes no mutex in either mode.</item>
/// <item><c>SQLITE_CONFIG_MEMSTATUS</c> off: SQLite's allocation statistics, which take a process-wide mutex on every
/// allocation and free inside the library; nothing reads them (<c>sqlite3_memory_used</c>, soft heap limits).</item>
/// </list>
/// Issue 22: in a profile of usage ingestion with 10,000 users, locking and unlocking those mutexes was 3.4 % of the
/// machine, as much as SQLite's B-tree search (docs/performance.md, fourteenth session).
/// </summary>
public static class SqliteLibrary
{
    private static readonly Lazy<bool> Configured = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// True when the settings were applied: by the first call, made before this process's first SQLite connection was
    /// opened. False when the library was already in use (for example a test opened a connection first); SQLite then
    /// keeps its defaults, which are as correct, only slower. Never throws.
    /// </summary>
    public static bool Configure() => Configured.Value;

    private static bool Apply()
    {
        Batteries_V2.Init();
        return raw.sqlite3_config(raw.SQLITE_CONFIG_MULTITHREAD) == raw.SQLITE_OK
            && raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0) == raw.SQLITE_OK;
    }
}
