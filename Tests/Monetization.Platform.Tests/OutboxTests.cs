using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.Platform.Tests.ThrowAwayModule;
using Monetization.TestKit;

namespace Monetization.Platform.Tests;

public sealed class OutboxTests
{
    [Test]
    public async Task Event_is_stored_only_when_the_business_change_commits()
    {
        await using var factory = new NotesFactory();
        _ = factory.Server;

        Assert.ThrowsAsync<InvalidOperationException>(() => factory.WriteNoteAsync("lost", failBeforeCommit: true));
        Assert.That(await factory.QueryAsync(db => db.Notes.CountAsync()), Is.Zero);
        Assert.That(await factory.QueryAsync(db => db.Outbox.CountAsync()), Is.Zero);

        await factory.WriteNoteAsync("kept");
        Assert.That(await factory.QueryAsync(db => db.Notes.CountAsync()), Is.EqualTo(1));
        Assert.That(await factory.QueryAsync(db => db.Outbox.CountAsync()), Is.EqualTo(1));
    }

    [Test]
    public async Task Outbox_rows_saved_in_a_transaction_read_back_through_the_model_and_roll_back_with_it()
    {
        await using var factory = new NotesFactory();
        _ = factory.Server;
        var kept = new NoteWritten(Guid.NewGuid(), factory.Clock.GetUtcNow(), "note_kept", "ünïcode ✓");
        var lost = new NoteWritten(Guid.NewGuid(), factory.Clock.GetUtcNow(), "note_lost", "rolled back");
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                db.AddIntegrationEvent(kept);
                Assert.That(await db.SaveChangesAsync(), Is.EqualTo(1));
                Assert.That(await db.SaveChangesAsync(), Is.Zero, "a stored outbox row is not stored again by a later save");
                await transaction.CommitAsync();
            }

            await using (await db.Database.BeginTransactionAsync())
            {
                db.AddIntegrationEvent(lost);
                await db.SaveChangesAsync();
            }
        }

        var row = await factory.QueryAsync(db => db.Outbox.AsNoTracking().SingleAsync(m => m.EventId == kept.EventId));
        Assert.Multiple(() =>
        {
            Assert.That(row.Type, Is.EqualTo("tests.note_written"));
            Assert.That(row.OccurredAt, Is.EqualTo(kept.OccurredAt));
            Assert.That(row.NextAttemptAt, Is.EqualTo(kept.OccurredAt));
            Assert.That((row.Attempts, row.DispatchedAt, row.DeadLetteredAt, row.LastError, row.LockedUntil, row.LockedBy), Is.EqualTo((0, (DateTimeOffset?)null, (DateTimeOffset?)null, (string?)null, (DateTimeOffset?)null, (string?)null)));
            Assert.That(factory.Services.GetRequiredService<Monetization.BuildingBlocks.Outbox.IntegrationEventRegistry>().Deserialize(row.Type, row.Payload), Is.EqualTo(kept));
        });
        Assert.That(await factory.QueryAsync(db => db.Outbox.CountAsync()), Is.EqualTo(1), "the rolled-back row is gone with its transaction");

        await factory.DrainOutboxAsync();
        Assert.That(await factory.QueryAsync(db => db.Seen.CountAsync(s => s.NoteId == "note_kept")), Is.EqualTo(2), "delivered to both consumers");
    }

    [Test]
    public async Task Validation_failure_changes_nothing()
    {
        await using var factory = new NotesFactory();
        _ = factory.Server;
        Assert.ThrowsAsync<FluentValidation.ValidationException>(() => factory.WriteNoteAsync(""));
        Assert.That(await factory.QueryAsync(db => db.Outbox.CountAsync()), Is.Zero);
    }

    [Test]
    public async Task Committed_but_undelivered_event_is_delivered_after_a_restart_over_the_same_data()
    {
        var directory = Path.Combine(Path.GetTempPath(), "monetization-tests", Guid.NewGuid().ToString("N"));
        string noteId;
        await using (var first = new NotesFactory(directory, autoDispatch: false))
        {
            noteId = await first.WriteNoteAsync("survives a crash");
            Assert.That(await first.PendingOutboxAsync(), Is.EqualTo(1));
            Assert.That(first.Log.ReliableRuns, Is.Zero);
        }

        await using var second = new NotesFactory(directory, autoDispatch: true);
        _ = second.Server;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await second.PendingOutboxAsync() > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.That(await second.PendingOutboxAsync(), Is.Zero, "the restarted dispatcher delivers the committed event by itself");
        Assert.That(await second.QueryAsync(db => db.Seen.CountAsync(s => s.NoteId == noteId)), Is.EqualTo(2));
        Directory.Delete(directory, recursive: true);
    }

    [Test]
    public async Task Two_dispatchers_on_one_database_claim_each_row_once_and_deliver_everything()
    {
        var directory = Path.Combine(Path.GetTempPath(), "monetization-tests", Guid.NewGuid().ToString("N"));
        await using var first = new NotesFactory(directory);
        first.WithSetting("Outbox:BatchSize", "3");
        _ = first.Server;
        const int notes = 30;
        for (var i = 0; i < notes; i++)
        {
            await first.WriteNoteAsync($"note {i}");
        }

        await using var second = new NotesFactory(directory);
        second.WithSetting("Outbox:BatchSize", "3");
        _ = second.Server;

        // Two Host instances over the same file, each running rounds until nothing is left: a row picked by one round is
        // leased in the same statement, so the other instance's rounds skip it.
        static async Task<int> DrainAsync(NotesFactory factory)
        {
            var dispatcher = factory.Services.GetServices<Monetization.BuildingBlocks.Outbox.IOutboxDispatcher>().Single(d => d.Module == "Notes");
            var claimed = 0;
            int round;
            while ((round = await dispatcher.DispatchDueAsync(CancellationToken.None)) > 0)
            {
                claimed += round;
            }

            return claimed;
        }

        var claimed = await Task.WhenAll(Task.Run(() => DrainAsync(first)), Task.Run(() => DrainAsync(second)));

        Assert.That(claimed.Sum(), Is.EqualTo(notes), "every row is claimed by exactly one round of one instance");
        var rows = await first.QueryAsync(db => db.Outbox.AsNoTracking().ToListAsync());
        Assert.That(rows, Has.Count.EqualTo(notes));
        Assert.That(rows.Select(r => (r.Attempts, r.DispatchedAt.HasValue, r.LockedUntil)), Is.All.EqualTo((1, true, (DateTimeOffset?)null)),
            "each row delivered once (one attempt), marked delivered, its lease released");
        Assert.That(first.Log.ReliableRuns + second.Log.ReliableRuns, Is.EqualTo(notes));
        Assert.That(await first.QueryAsync(db => db.Seen.CountAsync(s => s.Consumer == "reliable")), Is.EqualTo(notes));
        Directory.Delete(directory, recursive: true);
    }

    [Test]
    public async Task The_signal_counts_commits_of_outbox_rows_and_a_signalled_round_claims_and_marks_them()
    {
        await using var factory = new NotesFactory();
        _ = factory.Server;
        var signal = factory.Services.GetRequiredService<Monetization.BuildingBlocks.Outbox.OutboxSignal<NotesDbContext>>();
        var dispatcher = factory.Services.GetServices<Monetization.BuildingBlocks.Outbox.IOutboxDispatcher>().Single(d => d.Module == "Notes");
        var start = signal.Count;

        await factory.WriteNoteAsync("one commit");
        Assert.That(signal.Count, Is.EqualTo(start + 1), "a commit with an outbox row signals once");

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
            db.Notes.Add(new Note { Id = "note_plain", Text = "no event" });
            await db.SaveChangesAsync();
            Assert.That(signal.Count, Is.EqualTo(start + 1), "a commit without outbox rows does not signal");

            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                db.AddIntegrationEvent(new NoteWritten(Guid.CreateVersion7(), factory.Clock.GetUtcNow(), "note_a", "first save"));
                await db.SaveChangesAsync();
                db.AddIntegrationEvent(new NoteWritten(Guid.CreateVersion7(), factory.Clock.GetUtcNow(), "note_b", "second save"));
                await db.SaveChangesAsync();
                Assert.That(signal.Count, Is.EqualTo(start + 1), "nothing is signalled before the transaction commits");
                await transaction.CommitAsync();
            }

            Assert.That(signal.Count, Is.EqualTo(start + 2), "one signal for the transaction's commit");
            await using (await db.Database.BeginTransactionAsync())
            {
                db.AddIntegrationEvent(new NoteWritten(Guid.CreateVersion7(), factory.Clock.GetUtcNow(), "note_lost", "rolled back"));
                await db.SaveChangesAsync();
            }

            Assert.That(signal.Count, Is.EqualTo(start + 2), "a rolled-back transaction does not signal");
        }

        // Signalled since the dispatcher last looked: the round claims without asking first, delivers the three rows and,
        // with nothing signalled during it and nothing left due, marks them before it returns.
        Assert.That(await dispatcher.DispatchDueAsync(CancellationToken.None), Is.EqualTo(3));
        Assert.That(signal.Count, Is.EqualTo(start + 2), "the consumers' commits, on pooled contexts, signal nothing left over from the rolled-back transaction");
        Assert.That(await factory.PendingOutboxAsync(), Is.Zero);
        Assert.That(await dispatcher.DispatchDueAsync(CancellationToken.None), Is.Zero, "nothing signalled, nothing due");
        Assert.That(await factory.QueryAsync(db => db.Seen.CountAsync()), Is.EqualTo(6), "three events, two consumers each");
    }

    [Test]
    public async Task A_round_with_nothing_due_does_not_wait_for_the_modules_writers()
    {
        await using var factory = new NotesFactory();
        _ = factory.Server;
        await factory.WriteNoteAsync("delivered before");
        await factory.DrainOutboxAsync();
        var dispatcher = factory.Services.GetServices<Monetization.BuildingBlocks.Outbox.IOutboxDispatcher>().Single(d => d.Module == "Notes");

        // A writer holds the database's gate (a long webhook batch, say): the dispatcher is signalled after every commit, so
        // it often finds nothing due, and must not queue behind that writer only to learn so.
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
        Task<int> round;
        using (await Monetization.BuildingBlocks.Data.SqliteWriteGate.EnterAsync(db, CancellationToken.None))
        {
            round = dispatcher.DispatchDueAsync(CancellationToken.None);
            Assert.That(await Task.WhenAny(round, Task.Delay(TimeSpan.FromSeconds(5))), Is.SameAs(round), "an empty round ends while the gate is held");
        }

        Assert.That(await round, Is.Zero);

        // With a row due, the round does need the gate (its claim is a write), and delivers once the writer is done.
        await factory.WriteNoteAsync("due now");
        Task<int> busy;
        using (await Monetization.BuildingBlocks.Data.SqliteWriteGate.EnterAsync(db, CancellationToken.None))
        {
            busy = dispatcher.DispatchDueAsync(CancellationToken.None);
            await Task.Delay(100);
            Assert.That(busy.IsCompleted, Is.False, "the claim waits for the writer");
        }

        Assert.That(await busy, Is.EqualTo(1));
        Assert.That(await factory.PendingOutboxAsync(), Is.Zero);
    }

    [Test]
    public async Task Failing_consumer_is_retried_with_backoff_while_the_succeeding_one_is_not_run_again()
    {
        await using var factory = new NotesFactory();
        _ = factory.Server;
        factory.Log.FlakyFailuresLeft = 2;
        var noteId = await factory.WriteNoteAsync("retry me");

        await factory.DrainOutboxAsync();
        Assert.That(factory.Log.FlakyRuns, Is.EqualTo(1));
        Assert.That(factory.Log.ReliableRuns, Is.EqualTo(1), "one failing consumer does not stop the others");
        var row = await factory.QueryAsync(db => db.Outbox.SingleAsync());
        Assert.That(row.Attempts, Is.EqualTo(1));
        Assert.That(row.DispatchedAt, Is.Null);
        Assert.That(row.LastError, Does.Contain("Flaky consumer failed on purpose"));
        Assert.That(row.NextAttemptAt, Is.EqualTo(factory.Clock.GetUtcNow().AddSeconds(2)));

        await factory.DrainOutboxAsync();
        Assert.That(factory.Log.FlakyRuns, Is.EqualTo(1), "not due before the backoff elapses");

        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        await factory.DrainOutboxAsync();
        Assert.That(factory.Log.FlakyRuns, Is.EqualTo(2));
        row = await factory.QueryAsync(db => db.Outbox.SingleAsync());
        Assert.That(row.NextAttemptAt, Is.EqualTo(factory.Clock.GetUtcNow().AddSeconds(4)), "the delay doubles");

        factory.Clock.Advance(TimeSpan.FromSeconds(4));
        await factory.DrainOutboxAsync();
        Assert.That(factory.Log.FlakyRuns, Is.EqualTo(3));
        Assert.That(factory.Log.ReliableRuns, Is.EqualTo(1), "the inbox keeps the succeeded consumer from running twice");
        row = await factory.QueryAsync(db => db.Outbox.SingleAsync());
        Assert.That(row.DispatchedAt, Is.Not.Null);
        Assert.That(await factory.QueryAsync(db => db.Seen.CountAsync(s => s.NoteId == noteId)), Is.EqualTo(2));
    }

    [Test]
    public async Task A_run_of_events_reaches_every_consumer_and_a_failure_stays_with_its_own_event()
    {
        await using var factory = new NotesFactory();
        _ = factory.Server;
        factory.Log.PoisonText = "poison";
        var ids = new List<string>();
        foreach (var text in new[] { "one", "two", "poison", "four", "five" })
        {
            ids.Add(await factory.WriteNoteAsync(text));
        }

        // One round claims all five rows of one type: each consumer gets them as one run (issue 22). The flaky consumer's
        // run fails on the third, is rolled back whole and handled again event by event, so only that event is left failed.
        await factory.DrainOutboxAsync();
        var rows = await factory.QueryAsync(db => db.Outbox.OrderBy(m => m.Sequence).ToListAsync());
        Assert.That(rows.Select(r => r.DispatchedAt is not null), Is.EqualTo(new[] { true, true, false, true, true }));
        Assert.That(rows[2].Attempts, Is.EqualTo(1));
        Assert.That(rows[2].LastError, Does.Contain("cannot handle this note"));
        var seen = await factory.QueryAsync(db => db.Seen.ToListAsync());
        Assert.That(seen.Where(s => s.Consumer == "reliable").Select(s => s.NoteId), Is.EquivalentTo(ids));
        Assert.That(seen.Where(s => s.Consumer == "flaky").Select(s => s.NoteId), Is.EquivalentTo(ids.Where((_, i) => i != 2)));
        var inbox = await factory.QueryAsync(db => db.Inbox.CountAsync());
        Assert.That(inbox, Is.EqualTo(9), "one inbox row per (event, consumer) that succeeded, none for the failure");

        // The retry reaches only the consumer that failed; once it can, the row is delivered and nothing runs twice.
        factory.Log.PoisonText = null;
        var reliableRuns = factory.Log.ReliableRuns;
        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        await factory.DrainOutboxAsync();
        Assert.That(await factory.QueryAsync(db => db.Outbox.CountAsync(m => m.DispatchedAt == null)), Is.Zero);
        Assert.That(factory.Log.ReliableRuns, Is.EqualTo(reliableRuns));
        Assert.That(await factory.QueryAsync(db => db.Seen.CountAsync()), Is.EqualTo(10));
    }

    [Test]
    public async Task Event_is_dead_lettered_after_the_configured_attempts_and_can_be_replayed()
    {
        await using var factory = new NotesFactory();
        factory.WithSetting("Outbox:MaxAttempts", "3");
        _ = factory.Server;
        factory.Log.FlakyFailuresLeft = int.MaxValue;
        await factory.WriteNoteAsync("doomed");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await factory.DrainOutboxAsync();
            factory.Clock.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.That(factory.Log.FlakyRuns, Is.EqualTo(3));
        using var admin = factory.CreateAdminClient();
        var deadLetters = await admin.GetJsonAsync("/v1/admin/dead_letters");
        var letter = deadLetters["data"]!.AsArray().Single()!;
        Assert.That(letter["module"]!.GetValue<string>(), Is.EqualTo("Notes"));
        Assert.That(letter["type"]!.GetValue<string>(), Is.EqualTo("tests.note_written"));
        Assert.That(letter["attempts"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(letter["last_error"]!.GetValue<string>(), Does.Contain("on purpose"));

        await factory.DrainOutboxAsync();
        Assert.That(factory.Log.FlakyRuns, Is.EqualTo(3), "a dead letter is not retried by itself");

        factory.Log.FlakyFailuresLeft = 0;
        var sequence = letter["sequence"]!.GetValue<long>();
        using var replay = await admin.PostAsync($"/v1/admin/dead_letters/notes/{sequence}/replay", null);
        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        await factory.DrainOutboxAsync();

        Assert.That(factory.Log.FlakyRuns, Is.EqualTo(4));
        Assert.That(factory.Log.ReliableRuns, Is.EqualTo(1));
        Assert.That((await admin.GetJsonAsync("/v1/admin/dead_letters"))["data"]!.AsArray(), Is.Empty);
        using var again = await admin.PostAsync($"/v1/admin/dead_letters/notes/{sequence}/replay", null);
        await again.ShouldBeProblemAsync(404);
    }

    [Test]
    public async Task Dead_letters_are_paged_by_module_then_sequence_with_a_module_sequence_cursor()
    {
        await using var factory = new NotesFactory();
        factory.WithSetting("Outbox:MaxAttempts", "1");
        _ = factory.Server;
        factory.Log.FlakyFailuresLeft = int.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            await factory.WriteNoteAsync($"doomed {i}");
        }

        await factory.DrainOutboxAsync();
        using var admin = factory.CreateAdminClient();
        var first = await admin.GetJsonAsync("/v1/admin/dead_letters?limit=2");
        var page = first["data"]!.AsArray();
        Assert.That((page.Count, first["has_more"]!.GetValue<bool>()), Is.EqualTo((2, true)), first.ToJsonString());
        var sequences = page.Select(l => l!["sequence"]!.GetValue<long>()).ToList();
        Assert.That(sequences, Is.Ordered, "by sequence within a module");
        var cursor = page[1]!["id"]!.GetValue<string>();
        Assert.That(cursor, Is.EqualTo($"notes:{sequences[1]}"), "the cursor is <module>:<sequence>");

        var second = await admin.GetJsonAsync($"/v1/admin/dead_letters?limit=2&starting_after={cursor}");
        var rest = second["data"]!.AsArray();
        Assert.That((rest.Count, second["has_more"]!.GetValue<bool>()), Is.EqualTo((1, false)));
        Assert.That(rest[0]!["sequence"]!.GetValue<long>(), Is.GreaterThan(sequences[1]));
        Assert.That((await admin.GetJsonAsync("/v1/admin/dead_letters"))["data"]!.AsArray(), Has.Count.EqualTo(3), "default limit 20");

        // A cursor is a position: a replayed dead letter leaves the list and its id still pages on.
        using (await admin.PostAsync($"/v1/admin/dead_letters/notes/{sequences[1]}/replay", null))
        {
        }

        Assert.That((await admin.GetJsonAsync($"/v1/admin/dead_letters?starting_after={cursor}"))["data"]!.AsArray(), Has.Count.EqualTo(1));

        using (var limit = await admin.GetAsync("/v1/admin/dead_letters?limit=0"))
        {
            await limit.ShouldBeProblemAsync(422, "limit");
        }

        using (var malformed = await admin.GetAsync("/v1/admin/dead_letters?starting_after=notes"))
        {
            await malformed.ShouldBeProblemAsync(422, "starting_after");
        }

        using var unknown = await admin.GetAsync("/v1/admin/dead_letters?starting_after=nobody:1");
        await unknown.ShouldBeProblemAsync(422, "starting_after");
    }

    [Test]
    public async Task Concurrent_duplicate_deliveries_run_a_consumer_once()
    {
        await using var factory = new NotesFactory();
        _ = factory.Server;
        await factory.WriteNoteAsync("twice at once");
        var row = await factory.QueryAsync(db => db.Outbox.SingleAsync());
        var evt = (NoteWritten)factory.Services.GetRequiredService<Monetization.BuildingBlocks.Outbox.IntegrationEventRegistry>().Deserialize(row.Type, row.Payload);

        async Task PublishAsync()
        {
            await using var scope = factory.Services.CreateAsyncScope();
            var mediator = scope.ServiceProvider.GetRequiredService<MediatR.IMediator>();
            try
            {
                await mediator.Publish(evt);
            }
            catch (Monetization.BuildingBlocks.Mediation.NotificationHandlersFailedException)
            {
                // The loser of the race hits the inbox's unique key; its retry is then a no-op.
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(PublishAsync)));
        Assert.That(await factory.QueryAsync(db => db.Seen.CountAsync(s => s.Consumer == "reliable")), Is.EqualTo(1));
        Assert.That(await factory.QueryAsync(db => db.Inbox.CountAsync()), Is.EqualTo(2));
        var eventId = evt.EventId;
        Assert.That(await factory.QueryAsync(db => db.Inbox.CountAsync(i => i.EventId == eventId)), Is.EqualTo(2),
            "the inbox rows the consumer wrote with SQL are found through the model by their Guid (same stored format)");
    }
}
