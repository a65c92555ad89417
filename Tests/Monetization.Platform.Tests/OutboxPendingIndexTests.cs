using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Data;
using Monetization.BuildingBlocks.Outbox;
using Monetization.Platform.Tests.ThrowAwayModule;
using Monetization.TestKit;

namespace Monetization.Platform.Tests;

/// <summary>
/// ADR 0083: the dispatcher's claim and "anything due" probe read the open rows through <see cref="OutboxMigrations.PendingIndex"/>,
/// in sequence order, and stop at their limit. Before, a claim collected every due row and sorted them, so its cost grew
/// with the backlog. Runs on the provider of the test run (SQLite, and PostgreSQL in CI's second pass).
/// </summary>
public sealed class OutboxPendingIndexTests
{
    private const int Delivered = 4_000;
    private const int Open = 2_000;

    [Test]
    public async Task The_claim_and_the_probe_read_the_open_rows_in_order_through_their_own_index_whatever_the_history_and_backlog()
    {
        await using var factory = new NotesFactory();
        _ = factory.Server;
        var now = factory.Clock.GetUtcNow();

        // A long history of delivered rows, then a backlog: rows delivered long ago come first in sequence order.
        await factory.QueryAsync(async db =>
        {
            for (var i = 0; i < Delivered + Open; i++)
            {
                db.AddIntegrationEvent(new NoteWritten(Guid.NewGuid(), now, $"note_{i}", "history"));
            }

            await db.SaveChangesAsync();
            var first = await db.Outbox.MinAsync(m => m.Sequence);
            return await db.Outbox.Where(m => m.Sequence < first + Delivered).ExecuteUpdateAsync(s => s.SetProperty(m => m.DispatchedAt, now));
        });

        var (claimPlan, probePlan) = await factory.QueryAsync(async db => (await PlanAsync(db, claim: true, now), await PlanAsync(db, claim: false, now)));
        foreach (var (statement, plan) in new[] { ("claim", claimPlan), ("probe", probePlan) })
        {
            Assert.That(plan, Does.Contain(OutboxMigrations.PendingIndex), $"the {statement} reads the open rows' index:\n{plan}");
            Assert.That(plan, Does.Not.Contain("TEMP B-TREE").And.Not.Contain("Sort"), $"the {statement} sorts nothing:\n{plan}");
        }

        var dispatcher = factory.Services.GetServices<IOutboxDispatcher>().Single(d => d.Module == "Notes");
        Assert.That(await dispatcher.DispatchDueAsync(CancellationToken.None), Is.EqualTo(100), "one round claims one batch (Outbox:BatchSize 100)");
        // A full round's rows are marked delivered by the next round's claim; the consumer's own rows show what was delivered.
        var seen = await factory.QueryAsync(db => db.Seen.Where(n => n.Consumer == "reliable").Select(n => n.NoteId).ToListAsync());
        Assert.That(seen, Is.EquivalentTo(Enumerable.Range(Delivered, 100).Select(i => $"note_{i}")), "the oldest open rows, none delivered before");
    }

    /// <summary>The query plan of <see cref="OutboxRows"/>' claim or probe on the context's database, as text.</summary>
    private static async Task<string> PlanAsync(NotesDbContext db, bool claim, DateTimeOffset now)
    {
        var rows = OutboxRows.For(db);
        var sql = claim ? rows.ClaimStatement : rows.AnyDueStatement;
        await db.Database.OpenConnectionAsync();
        try
        {
            DbCommand command;
            if (db.Database.IsNpgsql())
            {
                await db.Database.ExecuteSqlRawAsync("ANALYZE \"OutboxMessages\"");
                command = claim
                    ? PostgresBatch.Command(db, "EXPLAIN " + sql, now, now.AddMinutes(1), "plan-test", 100)
                    : PostgresBatch.Command(db, "EXPLAIN " + sql, now);
            }
            else
            {
                await db.Database.ExecuteSqlRawAsync("ANALYZE");
                command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = "EXPLAIN QUERY PLAN " + sql; // unbound parameters are NULL: the plan does not depend on them
            }

            await using (command)
            await using (var reader = await command.ExecuteReaderAsync())
            {
                var lines = new List<string>();
                while (await reader.ReadAsync())
                {
                    lines.Add(reader.GetValue(reader.FieldCount - 1)?.ToString() ?? "");
                }

                return string.Join('\n', lines);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
