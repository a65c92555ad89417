using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Monetization.BuildingBlocks.Data;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;
using Monetization.TestKit;

namespace Monetization.Subscriptions.Tests;

/// <summary>
/// The webhook batch's preloads (issue 22): on SQLite the accounts, invoices and first-paid markers are read by a prepared
/// statement and tracked by <see cref="SqliteTrackedRows{T}"/> instead of EF Core's query. They must be the same entities
/// EF Core would give, tracked the same way: every property equal (nulls, UTC ticks, flags), unchanged until changed, saved
/// as changed, and an entity the context already tracks answered with that instance.
/// </summary>
public sealed class StripeEventStoreTests
{
    private static readonly DateTimeOffset Base = new DateTimeOffset(2026, 11, 30, 23, 59, 58, TimeSpan.Zero).AddTicks(1_234_567);

    [Test]
    public async Task Preloaded_rows_are_the_entities_ef_core_reads_and_are_tracked_as_it_tracks_them()
    {
        await using var factory = new MonetizationFactory();
        if (factory.Provider != DatabaseProvider.Sqlite)
        {
            Assert.Ignore("SQLite only: on PostgreSQL the preloads are EF Core's own queries.");
        }

        await factory.QueryAsync<SubscriptionsDbContext, int>(async db =>
        {
            db.Accounts.AddRange(Filled<BillingAccount>(db, "user_full", 1), Bare<BillingAccount>(db, "user_bare"));
            db.Invoices.AddRange(Filled<InvoiceRecord>(db, "in_full", 2), Bare<InvoiceRecord>(db, "in_bare"));
            db.FirstPaidMarkers.AddRange(Filled<FirstPaidMarker>(db, "user_full", 3), Bare<FirstPaidMarker>(db, "user_bare"));
            return await db.SaveChangesAsync();
        });

        await factory.QueryAsync<SubscriptionsDbContext, int>(async db =>
        {
            Assert.That(SqliteTrackedRows<BillingAccount>.Supports(db) && SqliteTrackedRows<InvoiceRecord>.Supports(db) && SqliteTrackedRows<FirstPaidMarker>.Supports(db),
                Is.True, "every entity type the webhook batch preloads is one the reader covers");
            var store = new StripeEventStore(db);
            var accounts = await store.LoadAccountsAsync(["cus_StripeCustomerId_1"], ["user_bare", "user_nobody"], default);
            var invoices = await store.LoadInvoicesAsync(["in_full", "in_bare", "in_nobody"], default);
            await store.LoadFirstPaidMarkersAsync(["user_full", "user_bare"], default);
            var markers = db.ChangeTracker.Entries<FirstPaidMarker>().Select(e => e.Entity).ToList();

            Assert.That(accounts.Select(a => a.UserId), Is.EquivalentTo(new[] { "user_full", "user_bare" }), "by customer id or by user id");
            Assert.That(invoices.Select(i => i.InvoiceId), Is.EquivalentTo(new[] { "in_full", "in_bare" }));
            Assert.That(markers.Select(m => m.UserId), Is.EquivalentTo(new[] { "user_full", "user_bare" }));
            await AssertSameAsEfCoreAsync(db, accounts, a => a.UserId);
            await AssertSameAsEfCoreAsync(db, invoices, i => i.InvoiceId);
            await AssertSameAsEfCoreAsync(db, markers, m => m.UserId);
            Assert.That(db.ChangeTracker.Entries().Select(e => e.State), Is.All.EqualTo(EntityState.Unchanged));

            // Tracked with their original values: a change is saved, and only what changed is.
            var full = accounts.Single(a => a.UserId == "user_full");
            full.Plan = "enterprise";
            db.ChangeTracker.DetectChanges();
            Assert.That(db.Entry(full).State, Is.EqualTo(EntityState.Modified));
            Assert.That(db.Entry(full).Properties.Where(p => p.IsModified).Select(p => p.Metadata.Name), Is.EquivalentTo(new[] { nameof(BillingAccount.Plan) }));
            Assert.That(await db.SaveChangesAsync(), Is.EqualTo(1));
            return 0;
        });

        await factory.QueryAsync<SubscriptionsDbContext, int>(async db =>
        {
            var stored = await db.Accounts.AsNoTracking().SingleAsync(a => a.UserId == "user_full");
            Assert.That(stored.Plan, Is.EqualTo("enterprise"));
            Assert.That(stored.CurrentPeriodEnd, Is.EqualTo(Filled<BillingAccount>(db, "user_full", 1).CurrentPeriodEnd), "the rest as it was");

            // An account the context already tracks is answered with that instance, its unsaved change kept (identity resolution).
            var tracked = await db.Accounts.SingleAsync(a => a.UserId == "user_bare");
            tracked.Email = "unsaved@example.com";
            var again = await new StripeEventStore(db).LoadAccountsAsync([], ["user_bare"], default);
            Assert.That(again, Has.Count.EqualTo(1));
            Assert.That(again[0], Is.SameAs(tracked));
            Assert.That(again[0].Email, Is.EqualTo("unsaved@example.com"));
            return 0;
        });
    }

    [Test]
    public async Task The_batch_saves_with_prepared_statements_what_ef_core_would_save_and_falls_back_for_the_rest()
    {
        await using var factory = new MonetizationFactory();
        if (factory.Provider != DatabaseProvider.Sqlite)
        {
            Assert.Ignore("SQLite only: on PostgreSQL EF Core saves.");
        }

        await factory.QueryAsync<SubscriptionsDbContext, int>(async db =>
        {
            db.Accounts.AddRange(Bare<BillingAccount>(db, "user_old"), Bare<BillingAccount>(db, "user_gone"));
            return await db.SaveChangesAsync();
        });

        var written = await factory.QueryAsync<SubscriptionsDbContext, int>(async db =>
        {
            Assert.That(SqliteTrackedRows<BillingAccount>.SavesDirectly(db) && SqliteTrackedRows<InvoiceRecord>.SavesDirectly(db) && SqliteTrackedRows<FirstPaidMarker>.SavesDirectly(db)
                && SqliteTrackedRows<ChargeRecord>.SavesDirectly(db) && SqliteTrackedRows<CreditGrant>.SavesDirectly(db),
                Is.True, "what the webhook batch adds and changes is written by the prepared statements, not by EF Core");
            db.SaveWithPreparedStatements = true;
            await using var tx = await db.BeginWriteTransactionAsync(default);
            var old = (await new StripeEventStore(db).LoadAccountsAsync([], ["user_old"], default)).Single();
            var filled = Filled<BillingAccount>(db, "user_old", 4);
            foreach (var property in db.Model.FindEntityType(typeof(BillingAccount))!.GetProperties().Where(p => !p.IsPrimaryKey()))
            {
                property.PropertyInfo!.SetValue(old, property.PropertyInfo.GetValue(filled)); // every column changes, nulls to values
            }

            db.Accounts.Add(Filled<BillingAccount>(db, "user_new", 5));
            db.Invoices.Add(Filled<InvoiceRecord>(db, "in_new", 6));
            db.FirstPaidMarkers.Add(Bare<FirstPaidMarker>(db, "user_new"));
            var count = await db.SaveChangesAsync();
            Assert.That(db.ChangeTracker.Entries().Select(e => e.State), Is.All.EqualTo(EntityState.Unchanged), "accepted as EF Core accepts a save");

            // A change the prepared statements do not write (a deletion) goes through EF Core, in the same transaction.
            db.Accounts.Remove(await db.Accounts.SingleAsync(a => a.UserId == "user_gone"));
            Assert.That(await db.SaveChangesAsync(), Is.EqualTo(1));

            // A constraint the batch breaks fails the save as EF Core reports it (the batch is then taken event by event).
            var taken = Filled<BillingAccount>(db, "user_clash", 4); // the Stripe customer id user_old now has
            db.Accounts.Add(taken);
            var clash = Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.That(clash!.InnerException, Is.InstanceOf<Microsoft.Data.Sqlite.SqliteException>());
            db.Entry(taken).State = EntityState.Detached;

            await tx.CommitAsync(default);
            return count;
        });
        Assert.That(written, Is.EqualTo(4), "one updated account, three new rows");

        await factory.QueryAsync<SubscriptionsDbContext, int>(async db =>
        {
            var stored = await db.Accounts.AsNoTracking().ToDictionaryAsync(a => a.UserId);
            Assert.That(stored.Keys, Is.EquivalentTo(new[] { "user_old", "user_new" }));
            var properties = db.Model.FindEntityType(typeof(BillingAccount))!.GetProperties().Where(p => !p.IsPrimaryKey()).ToList();
            Assert.Multiple(() =>
            {
                foreach (var property in properties)
                {
                    Assert.That(property.PropertyInfo!.GetValue(stored["user_old"]), Is.EqualTo(property.PropertyInfo.GetValue(Filled<BillingAccount>(db, "x", 4))), $"updated {property.Name}");
                    Assert.That(property.PropertyInfo!.GetValue(stored["user_new"]), Is.EqualTo(property.PropertyInfo.GetValue(Filled<BillingAccount>(db, "x", 5))), $"inserted {property.Name}");
                }
            });
            var invoice = await db.Invoices.AsNoTracking().SingleAsync();
            Assert.That(invoice.PaidAt, Is.EqualTo(Filled<InvoiceRecord>(db, "x", 6).PaidAt), "UTC ticks, to the tick");
            Assert.That((await db.FirstPaidMarkers.AsNoTracking().SingleAsync()).UserId, Is.EqualTo("user_new"));

            // An update whose row is gone is a concurrency failure, as EF Core reports it.
            db.SaveWithPreparedStatements = true;
            await using var tx = await db.BeginWriteTransactionAsync(default);
            var ghost = Bare<BillingAccount>(db, "user_never_stored");
            db.Accounts.Attach(ghost);
            ghost.Plan = "pro";
            db.ChangeTracker.DetectChanges();
            Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync());
            return 0;
        });
    }

    /// <summary>Each preloaded entity equals EF Core's reading of the same row, property by property, as the model maps them.</summary>
    private static async Task AssertSameAsEfCoreAsync<T>(SubscriptionsDbContext db, List<T> loaded, Func<T, string> key)
        where T : class
    {
        var properties = db.Model.FindEntityType(typeof(T))!.GetProperties().ToList();
        var byEf = await db.Set<T>().AsNoTracking().ToListAsync();
        Assert.Multiple(() =>
        {
            foreach (var entity in loaded)
            {
                var expected = byEf.Single(e => key(e) == key(entity));
                foreach (var property in properties)
                {
                    Assert.That(property.PropertyInfo!.GetValue(entity), Is.EqualTo(property.PropertyInfo.GetValue(expected)), $"{typeof(T).Name} {key(entity)}: {property.Name}");
                }
            }
        });
    }

    /// <summary>An entity with every property set: text named after the property, distinct UTC times with sub-second ticks, flags true, numbers.</summary>
    private static T Filled<T>(DbContext db, string key, int seed)
        where T : class, new()
    {
        var entity = new T();
        var index = 0;
        foreach (var property in db.Model.FindEntityType(typeof(T))!.GetProperties())
        {
            index++;
            var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
            object value = property.IsPrimaryKey() ? key
                : property.Name == nameof(BillingAccount.StripeCustomerId) ? $"cus_{property.Name}_{seed}"
                : type == typeof(string) ? $"{property.Name}_{seed}"
                : type == typeof(DateTimeOffset) ? Base.AddMinutes(seed).AddSeconds(index)
                : type == typeof(bool) ? true
                : type == typeof(long) ? 1_000L + (seed * 100) + index
                : throw new NotSupportedException($"{typeof(T).Name}.{property.Name}: {type.Name} has no test value");
            property.PropertyInfo!.SetValue(entity, value);
        }

        return entity;
    }

    /// <summary>An entity with only its key and required values: every nullable property null.</summary>
    private static T Bare<T>(DbContext db, string key)
        where T : class, new()
    {
        var entity = Filled<T>(db, key, 9);
        foreach (var property in db.Model.FindEntityType(typeof(T))!.GetProperties().Where(p => p.IsNullable && !p.IsPrimaryKey()))
        {
            property.PropertyInfo!.SetValue(entity, null);
        }

        return entity;
    }
}
