using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;

namespace Monetization.Platform.Tests;

public sealed class SqliteWriteGateTests
{
    private static PlatformDbContext Context(string file) =>
        new(new DbContextOptionsBuilder<PlatformDbContext>().UseSqlite($"Data Source={file}").Options);

    [Test]
    public async Task Writers_of_one_database_file_take_turns_and_other_files_do_not_wait()
    {
        var directory = Path.Combine(Path.GetTempPath(), "monetization-gate", Guid.NewGuid().ToString("N"));
        await using var first = Context(Path.Combine(directory, "a.db"));
        await using var sameFile = Context(Path.Combine(directory, "sub", "..", "a.db"));
        await using var otherFile = Context(Path.Combine(directory, "b.db"));

        var held = await SqliteWriteGate.EnterAsync(first, CancellationToken.None);
        var waiting = SqliteWriteGate.EnterAsync(sameFile, CancellationToken.None).AsTask();
        using (await SqliteWriteGate.EnterAsync(otherFile, CancellationToken.None))
        {
            Assert.That(waiting.IsCompleted, Is.False, "the same file (by full path) waits for the holder");
        }

        held.Dispose();
        held.Dispose(); // releasing twice releases once
        using (await waiting.WaitAsync(TimeSpan.FromSeconds(5)))
        {
            var third = SqliteWriteGate.EnterAsync(first, CancellationToken.None).AsTask();
            Assert.That(third.IsCompleted, Is.False, "still one writer at a time after a double dispose");
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            Assert.CatchAsync<OperationCanceledException>(async () => await SqliteWriteGate.EnterAsync(first, cancel.Token));
            _ = third.ContinueWith(t => t.Result.Dispose(), TaskScheduler.Default);
        }
    }
}
