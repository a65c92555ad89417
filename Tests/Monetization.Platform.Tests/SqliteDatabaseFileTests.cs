using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.Win32.SafeHandles;
using Monetization.BuildingBlocks.Data;

namespace Monetization.Platform.Tests;

/// <summary>
/// <see cref="SqliteDatabaseFile.Sync"/>, which the background checkpointer runs before it holds the writers back (ADR 0084):
/// a real SQLite file in WAL mode, its page-cache state read from the kernel.
/// </summary>
public sealed class SqliteDatabaseFileTests
{
    [Test]
    public void Writes_back_what_a_checkpoint_copied_without_syncing_and_leaves_the_database_whole()
    {
        var file = NewDatabaseFile();
        using var writer = Open(file);
        // No checkpoint inside the writer's commits (SQLite's own at 1,000 pages would reach the log's end and sync).
        Execute(writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL);");
        Execute(writer, "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 1000) INSERT INTO t (k, v) SELECT k, randomblob(4000) FROM n;");

        // A reader's snapshot stops the checkpoint short of the log's end, as a writer committing meanwhile does under
        // load: SQLite then copies the pages into the database file without syncing it (only the pass that reaches the
        // end of the log syncs).
        using var reader = Open(file);
        Execute(reader, "BEGIN; SELECT count(*) FROM t;");
        Execute(writer, "INSERT INTO t (k, v) VALUES (1001, randomblob(4000));");
        using var checkpointer = Open(file);
        Execute(checkpointer, "PRAGMA wal_checkpoint(PASSIVE);");

        var before = PageCache(file);
        Assert.That(before.Dirty, Is.GreaterThan(900), "the 1,000 copied rows sit in the page cache, not yet on disk");

        SqliteDatabaseFile.Sync(checkpointer);

        var after = PageCache(file);
        Assert.Multiple(() =>
        {
            Assert.That(after.Dirty + after.Writeback, Is.Zero, "every copied page was written back before Sync returned");
            Assert.That(after.Cached, Is.GreaterThanOrEqualTo(before.Cached - 16), "written back, not dropped");
        });

        Execute(reader, "COMMIT;");
        Assert.Multiple(() =>
        {
            Assert.That(Scalar(checkpointer, "PRAGMA integrity_check;"), Is.EqualTo("ok"));
            Assert.That(Scalar(checkpointer, "SELECT count(*) FROM t;"), Is.EqualTo(1001L), "the sync went to xSync, not to another slot of the file's methods");
        });
    }

    [Test]
    public void A_closed_connection_is_refused()
    {
        using var connection = new SqliteConnection($"Data Source={NewDatabaseFile()}");
        Assert.Throws<InvalidOperationException>(() => SqliteDatabaseFile.Sync(connection));
    }

    private static string NewDatabaseFile()
    {
        var directory = Path.Combine(Path.GetTempPath(), "monetization-database-file");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, Guid.NewGuid().ToString("N") + ".db");
    }

    private static SqliteConnection Open(string file)
    {
        var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.NextResult())
        {
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>
    /// The file's pages in the page cache, dirty ones and those under writeback: Linux's <c>cachestat</c> (system call 451,
    /// Linux 6.5; https://man7.org/linux/man-pages/man2/cachestat.2.html). Ignored where the kernel has no such call.
    /// </summary>
    private static (ulong Cached, ulong Dirty, ulong Writeback) PageCache(string file)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            Assert.Ignore("cachestat is a Linux system call; this test reads the page cache through it.");
        }

        // Opened for the call only; closing it releases this process's POSIX locks on the file, which is harmless here
        // (no connection is inside a write) and the reason SqliteDatabaseFile never opens one of its own.
        using SafeFileHandle handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var range = new CacheStatRange();
        if (cachestat(CacheStatCall, (int)handle.DangerousGetHandle(), ref range, out var stat, 0) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Assert.Ignore($"cachestat is not available on this kernel (errno {errno}).");
        }

        return (stat.Cache, stat.Dirty, stat.Writeback);
    }

    private const long CacheStatCall = 451;

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long cachestat(long call, int fd, ref CacheStatRange range, out CacheStat stat, uint flags);

    /// <summary><c>struct cachestat_range</c>: offset and length in bytes; length 0 is to the end of the file.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct CacheStatRange
    {
        public ulong Offset;
        public ulong Length;
    }

    /// <summary><c>struct cachestat</c>, in pages.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct CacheStat
    {
        public ulong Cache;
        public ulong Dirty;
        public ulong Writeback;
        public ulong Evicted;
        public ulong RecentlyEvicted;
    }
}
