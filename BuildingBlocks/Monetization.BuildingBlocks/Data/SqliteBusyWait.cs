using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// A fine-grained wait for SQLite's write lock, installed per connection with <c>sqlite3_busy_handler</c>
/// (https://sqlite.org/c3ref/busy_handler.html) in place of <c>PRAGMA busy_timeout</c>. SQLite's own busy-timeout
/// handler backs off 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between attempts, so under the Host's short write
/// transactions a waiting writer typically sleeps long past the release (ADR 0001 has the measurement). This handler sleeps 1 ms per attempt for the first 100 attempts, then
/// 5 ms, and gives up (SQLite returns <c>SQLITE_BUSY</c>) once the planned sleeps add up to the timeout. It is called
/// from the native library (<c>e_sqlite3</c>) directly with a function pointer, which allocates nothing per call
/// (SQLitePCLRaw's managed wrapper takes a delegate).
/// </summary>
public static unsafe class SqliteBusyWait
{
    private const int QuickAttempts = 100;
    private const int QuickSleepMs = 1;
    private const int SlowSleepMs = 5;

    /// <summary>
    /// Installs the handler on an open connection's native handle; it stays until the native connection closes (a
    /// pooled connection keeps it). A later <c>PRAGMA busy_timeout</c> on the connection would replace it.
    /// </summary>
    /// <param name="connection">An open SQLite connection.</param>
    /// <param name="timeoutMilliseconds">How long a statement may wait for the lock in total, in milliseconds (≥ 0).</param>
    /// <exception cref="ArgumentException">The connection is not open.</exception>
    /// <exception cref="SqliteException">SQLite refused the handler.</exception>
    public static void Install(SqliteConnection connection, int timeoutMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfNegative(timeoutMilliseconds);
        if (connection.Handle is not SafeHandle { IsInvalid: false } handle)
        {
            throw new ArgumentException("An open SQLite connection is required.", nameof(connection));
        }

        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var rc = sqlite3_busy_handler(handle.DangerousGetHandle(), &OnBusy, timeoutMilliseconds);
            if (rc != 0)
            {
                throw new SqliteException($"sqlite3_busy_handler failed with SQLite error {rc}.", rc);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Milliseconds slept before attempt <paramref name="attempt"/> (0-based) under this handler's schedule.</summary>
    internal static long PlannedWaitBefore(int attempt) =>
        attempt <= QuickAttempts
            ? (long)attempt * QuickSleepMs
            : (QuickAttempts * QuickSleepMs) + ((long)(attempt - QuickAttempts) * SlowSleepMs);

    /// <summary>SQLite calls this when the lock is held; 1 = sleep was done, try again; 0 = give up with SQLITE_BUSY.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnBusy(nint timeoutMilliseconds, int attempt)
    {
        if (PlannedWaitBefore(attempt) >= timeoutMilliseconds)
        {
            return 0;
        }

        Thread.Sleep(attempt < QuickAttempts ? QuickSleepMs : SlowSleepMs);
        return 1;
    }

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int sqlite3_busy_handler(nint db, delegate* unmanaged[Cdecl]<nint, int, int> handler, nint argument);
}
