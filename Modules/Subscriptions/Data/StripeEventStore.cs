using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Data;

/// <summary>
/// The webhook intake's storage: the Stripe event rows (<see cref="StripeEventRecord"/>, unique by Stripe's event id) of a
/// batch, and the billing state the batch's events name, read in one query per kind. A batch's keys go to SQLite as one
/// JSON array each (<c>json_each</c>), so each query's SQL is the same for every batch size, and its rows are read by a
/// prepared statement and tracked as EF Core would track them (<see cref="SqliteTrackedRows{T}"/>); a LINQ <c>Contains</c>
/// over a list made EF Core generate the SQL again per batch, and EF Core 10's own translation of <c>Contains</c> was
/// slower on this path (ADR 0001). On PostgreSQL the keys go as one <c>text[]</c> (<c>= ANY</c>) to EF Core's raw SQL
/// queries, and the event rows as one batch of inserts (issue 17).
/// </summary>
internal sealed class StripeEventStore(SubscriptionsDbContext db)
{
    private const string StoredIdSql = "SELECT 1 FROM StripeEvents WHERE Id = ?1";

    private const string InvoicesById = "InvoiceId IN (SELECT value FROM json_each(?1))";

    private const string AccountsByCustomerOrUser = "StripeCustomerId IN (SELECT value FROM json_each(?1)) OR UserId IN (SELECT value FROM json_each(?2))";

    private const string FirstPaidMarkersByUser = "UserId IN (SELECT value FROM json_each(?1))";

    private const string InsertEventSql =
        "INSERT INTO StripeEvents (Id, Type, Created, ObjectId, Account, Livemode, Payload, Status, Attempts, LastError, ReceivedAt, ProcessedAt, NextAttemptAt) "
        + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

    private const string PostgresStoredIdsSql = "SELECT \"Id\" AS \"Value\" FROM \"StripeEvents\" WHERE \"Id\" = ANY({0})";

    private const string PostgresInvoicesByIdSql = "SELECT * FROM \"Invoices\" WHERE \"InvoiceId\" = ANY({0})";

    private const string PostgresAccountsByCustomerOrUserSql =
        "SELECT * FROM \"BillingAccounts\" WHERE \"StripeCustomerId\" = ANY({0}) OR \"UserId\" = ANY({1})";

    private const string PostgresFirstPaidMarkersByUserSql = "SELECT * FROM \"FirstPaidMarkers\" WHERE \"UserId\" = ANY({0})";

    private const string PostgresInsertEventSql =
        "INSERT INTO \"StripeEvents\" (\"Id\", \"Type\", \"Created\", \"ObjectId\", \"Account\", \"Livemode\", \"Payload\", \"Status\", \"Attempts\", "
        + "\"LastError\", \"ReceivedAt\", \"ProcessedAt\", \"NextAttemptAt\") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

    private readonly bool _postgres = db.IsPostgres();

    /// <summary>
    /// Begins a transaction as the Subscriptions database's only writer in this process (<see cref="WriteTransaction"/>):
    /// webhook bursts queue here rather than in SQLite's sleeping busy handler.
    /// </summary>
    public Task<WriteTransaction> BeginWriteAsync(CancellationToken ct) => db.BeginWriteTransactionAsync(ct);

    /// <summary>
    /// Which of <paramref name="eventIds"/> are stored already, asked inside the write transaction (<see cref="BeginWriteAsync"/>).
    /// On SQLite one prepared primary-key probe per id: a batch's query through EF Core (a JSON list of ids, a raw SQL query
    /// compiled and shaped per call) was 2.8 % of the webhook path's profile for a question that is almost always "none"
    /// (issue 22, docs/performance.md, eighteenth session).
    /// </summary>
    public async Task<HashSet<string>> StoredIdsAsync(IEnumerable<string> eventIds, CancellationToken ct)
    {
        if (_postgres)
        {
            return (await db.Database.SqlQueryRaw<string>(PostgresStoredIdsSql, TextArray(eventIds)).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        }

        var stored = new HashSet<string>(StringComparer.Ordinal);
        using var probe = SqliteStatement.Prepare(db.Database.GetDbConnection(), StoredIdSql);
        foreach (var id in eventIds)
        {
            probe.Bind(1, id);
            if (probe.Read())
            {
                stored.Add(id);
                probe.Reset();
            }
        }

        return stored;
    }

    /// <summary>
    /// Stores new event rows in the open transaction, as the model maps them, through one prepared statement on SQLite
    /// (times as UTC ticks; EF Core built and compiled one INSERT of 13 parameters per event) or one batch on PostgreSQL.
    /// A stored id throws (unique key), so an event delivered to two Hosts at once is stored by one of them.
    /// </summary>
    public async Task InsertNewAsync(IReadOnlyList<StripeEventRecord> records, CancellationToken ct)
    {
        if (records.Count == 0)
        {
            return;
        }

        if (_postgres)
        {
            await PostgresBatch.ExecuteAsync(db, PostgresInsertEventSql, records.Select(r => new object?[]
            {
                r.Id, r.Type, r.Created, r.ObjectId, r.Account, r.Livemode, r.Payload, r.Status, r.Attempts, r.LastError, r.ReceivedAt,
                r.ProcessedAt, r.NextAttemptAt,
            }).ToList(), ct);
            return;
        }

        using var insert = SqliteStatement.Prepare(db.Database.GetDbConnection(), InsertEventSql);
        foreach (var r in records)
        {
            insert.Bind(1, r.Id);
            insert.Bind(2, r.Type);
            insert.Bind(3, r.Created.UtcTicks);
            insert.Bind(4, r.ObjectId);
            insert.Bind(5, r.Account);
            insert.Bind(6, r.Livemode ? 1 : 0);
            insert.Bind(7, r.Payload);
            insert.Bind(8, r.Status);
            insert.Bind(9, r.Attempts);
            insert.Bind(10, r.LastError);
            insert.Bind(11, r.ReceivedAt.UtcTicks);
            insert.Bind(12, r.ProcessedAt?.UtcTicks);
            insert.Bind(13, r.NextAttemptAt?.UtcTicks);
            insert.Execute();
        }
    }

    /// <summary>The stored invoices among <paramref name="invoiceIds"/>, tracked.</summary>
    public async Task<List<InvoiceRecord>> LoadInvoicesAsync(IEnumerable<string> invoiceIds, CancellationToken ct) =>
        _postgres
            ? await db.Invoices.FromSqlRaw(PostgresInvoicesByIdSql, TextArray(invoiceIds)).ToListAsync(ct)
            : await LoadTrackedAsync<InvoiceRecord>(InvoicesById, [JsonList(invoiceIds)], ct);

    /// <summary>The accounts linked to any of <paramref name="customerIds"/> or of <paramref name="userIds"/>, tracked.</summary>
    public async Task<List<BillingAccount>> LoadAccountsAsync(IEnumerable<string> customerIds, IEnumerable<string> userIds, CancellationToken ct) =>
        _postgres
            ? await db.Accounts.FromSqlRaw(PostgresAccountsByCustomerOrUserSql, TextArray(customerIds)[0], TextArray(userIds)[0]).ToListAsync(ct)
            : await LoadTrackedAsync<BillingAccount>(AccountsByCustomerOrUser, [JsonList(customerIds), JsonList(userIds)], ct);

    /// <summary>Loads, tracked, the first-paid markers of <paramref name="userIds"/> (a later <c>Find</c> answers from memory).</summary>
    public async Task LoadFirstPaidMarkersAsync(IEnumerable<string> userIds, CancellationToken ct)
    {
        if (_postgres)
        {
            await db.FirstPaidMarkers.FromSqlRaw(PostgresFirstPaidMarkersByUserSql, TextArray(userIds)).LoadAsync(ct);
            return;
        }

        await LoadTrackedAsync<FirstPaidMarker>(FirstPaidMarkersByUser, [JsonList(userIds)], ct);
    }

    /// <summary>
    /// On SQLite: the rows of <typeparamref name="T"/>'s table matching <paramref name="where"/>, read by one prepared statement
    /// and tracked (<see cref="SqliteTrackedRows{T}"/>). EF Core's raw SQL query cost more in its query pipeline than the
    /// rows did to read: three per webhook batch (issue 22, docs/performance.md, twenty-first session). The three entity
    /// types are ones the reader covers (a test holds them to it); a mapping it does not cover throws
    /// <see cref="NotSupportedException"/>, and the batch is then taken event by event, through EF Core.
    /// </summary>
    private async Task<List<T>> LoadTrackedAsync<T>(string where, string[] jsonLists, CancellationToken ct)
        where T : class
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return SqliteTrackedRows<T>.Load(db, where, jsonLists);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string JsonList(IEnumerable<string> keys) => JsonSerializer.Serialize(keys);

    /// <summary>The keys as one <c>text[]</c> parameter (wrapped, so that the array is not taken as the parameter list itself).</summary>
    private static object[] TextArray(IEnumerable<string> keys) => [keys.ToArray()];
}
