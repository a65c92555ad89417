using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Monetization.BuildingBlocks.Data;

/// <summary>
/// Flushes a connection's main database file to disk through SQLite's own open file and VFS: the <c>sqlite3_file</c> that
/// <c>sqlite3_file_control(…, "main", SQLITE_FCNTL_FILE_POINTER, …)</c> returns, then that file's <c>xSync</c>
/// (https://sqlite.org/c3ref/file_control.html, https://sqlite.org/c3ref/io_methods.html). <see cref="SqliteCheckpointer"/>
/// uses it to write back what its passive checkpoints copied before it holds the writers back (ADR 0084).
/// </summary>
/// <remarks>
/// Why not a file handle of our own: SQLite's locks on Unix are POSIX advisory locks, which belong to the process and
/// are all released when any descriptor of the file is closed (https://sqlite.org/howtocorrupt.html, section 2.2). Opening
/// and closing the database file beside SQLite would drop the locks its connections hold.
/// </remarks>
internal static unsafe class SqliteDatabaseFile
{
    /// <summary><c>SQLITE_FCNTL_FILE_POINTER</c>: the <c>sqlite3_file*</c> of the named database.</summary>
    private const int FileControlFilePointer = 7;

    /// <summary><c>SQLITE_SYNC_NORMAL</c>: what SQLite's own checkpoint asks of the database file under <c>synchronous=NORMAL</c>.</summary>
    private const int SyncNormal = 0x2;

    /// <summary>
    /// Syncs the main database file of <paramref name="connection"/>: everything written to the file so far, by any
    /// connection of this process, is on disk when it returns (<c>fsync</c> on Unix, <c>FlushFileBuffers</c> on Windows).
    /// The connection must be open and not in use on another thread. A connection that has not read or written its file
    /// yet has nothing open to sync, and nothing happens.
    /// </summary>
    /// <exception cref="InvalidOperationException">The connection is not open.</exception>
    /// <exception cref="SqliteException">SQLite refused the file control, or the sync failed (its result code, e.g. <c>SQLITE_IOERR_FSYNC</c>).</exception>
    public static void Sync(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.State != System.Data.ConnectionState.Open || connection.Handle is not { } handle)
        {
            throw new InvalidOperationException("The connection must be open to sync its database file.");
        }

        SqliteFile* file = null;
        fixed (byte* main = "main"u8)
        {
            var rc = sqlite3_file_control(handle.DangerousGetHandle(), main, FileControlFilePointer, &file);
            if (rc != 0)
            {
                throw new SqliteException($"SQLite refused SQLITE_FCNTL_FILE_POINTER (result code {rc}).", rc);
            }
        }

        if (file is null || file->Methods is null)
        {
            return;
        }

        var result = file->Methods->Sync(file, SyncNormal);
        if (result != 0)
        {
            throw new SqliteException($"Syncing the database file failed (result code {result}).", result);
        }
    }

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int sqlite3_file_control(nint db, byte* name, int op, void* arg);

    /// <summary>The head of <c>struct sqlite3_file</c> (sqlite3.h): every VFS's file begins with its methods.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SqliteFile
    {
        public IoMethods* Methods;
    }

    /// <summary>The head of <c>struct sqlite3_io_methods</c> (sqlite3.h), up to <c>xSync</c>, in declaration order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct IoMethods
    {
        public int Version;
        public nint Close;
        public nint Read;
        public nint Write;
        public nint Truncate;
        public delegate* unmanaged[Cdecl]<SqliteFile*, int, int> Sync;
    }
}
