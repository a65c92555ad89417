using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Monetization.TestKit;
using Npgsql;

namespace Monetization.Platform.Tests;

/// <summary>
/// Three built Hosts as real processes on one PostgreSQL database (issue 17), with the standalone Stripe emulator as their
/// Stripe: every webhook Stripe sends is delivered to two Hosts at the same moment, the payout job runs on all three at
/// once, and every usage batch reaches all three together. Skipped, with the reason, without a PostgreSQL test server
/// (<c>MONETIZATION_TEST_POSTGRES</c>; CI's PostgreSQL pass has one).
/// </summary>
public sealed partial class MultiHostTests
{
    private const string AdminKey = "mk_multi_host_admin_key_0123456789";
    private const string WebhookSecret = "whsec_multihosttest0123456789";
    private const string SecretKey = "sk_test_multihost0123456789";

    [Test]
    public async Task Three_Hosts_on_one_database_apply_each_webhook_once_pay_each_developer_once_and_count_each_usage_event_once()
    {
        TestDatabases.RequirePostgres();
        await using var cluster = await ThreeHosts.StartAsync("mt_multi_", new()
        {
            ["Marketplace__HoldDays"] = "0",
            ["Marketplace__PayoutScheduleEnabled"] = "false",
            ["Marketplace__StripeCallPollSeconds"] = "1",
            ["Subscriptions__JobPollSeconds"] = "1",
            ["Usage__InvoiceJob__Enabled"] = "false",
            ["Outbox__PollIntervalSeconds"] = "0.2",
        });
        var (emulator, clients, story, connectionString) = (cluster.Emulator, cluster.Clients, cluster.Story, cluster.ConnectionString);

        // Referral, two subscriptions, a developer with a one-time plugin bought twice: every Stripe event reaches two Hosts at once.
        var code = (await story.GetAsync(0, "/v1/referrals/multi_a")).Str("code");
        await story.PostAsync(1, "/v1/referrals/capture", new { user_id = "multi_b", code }, 201);
        foreach (var (user, host) in new[] { ("multi_a", 2), ("multi_b", 0) })
        {
            var checkout = await story.PostAsync(host, "/v1/subscriptions/checkout", new { user_id = user, email = user + "@example.com", plan = "pro", cadence = "monthly" });
            await emulator.PostAsync($"/_test/checkout_sessions/{checkout.Str("session_id")}/complete", new { card = "4242424242424242" });
        }

        await story.PostAsync(1, "/v1/marketplace/developers", new { developer_id = "multi_dev", name = "Multi Dev", email = "dev@example.com" }, 201);
        var account = (await story.PostAsync(2, "/v1/marketplace/developers/multi_dev/onboarding", null)).Str("stripe_account_id");
        await emulator.PostAsync($"/_test/accounts/{account}/complete_onboarding", null);
        await story.SettleAsync();
        Assert.That((await story.GetAsync(0, "/v1/marketplace/developers/multi_dev")).Bool("payouts_enabled"), Is.True, "account.updated applied");

        var plugin = (await story.PostAsync(0, "/v1/marketplace/plugins", new
        {
            developer_id = "multi_dev",
            slug = "multi-plugin",
            name = "Multi Plugin",
            description = "Bought once by each subscriber.",
            pricing = new { model = "one_time", amount = 1_000, currency = "usd" },
        }, 201)).Str("id");
        foreach (var (user, host) in new[] { ("multi_a", 1), ("multi_b", 2) })
        {
            var install = await story.PostAsync(host, $"/v1/marketplace/plugins/{plugin}/installs", new { user_id = user }, 201);
            await emulator.PostAsync($"/_test/checkout_sessions/{install.Str("checkout_session_id")}/complete", new { card = "4242424242424242" });
        }

        await story.SettleAsync();

        // One first-paid transition per user, one referral credit per side, each Stripe event stored once.
        await using (var pg = new NpgsqlConnection(connectionString))
        {
            await pg.OpenAsync();
            var firstPaid = await ScalarsAsync(pg, "SELECT \"Payload\" FROM subscriptions.\"OutboxMessages\" WHERE \"Type\" = 'subscriptions.first_paid_transition'");
            Assert.That(firstPaid.Select(p => JsonNode.Parse(p)!.Str("user_id")).Order(StringComparer.Ordinal), Is.EqualTo(new[] { "multi_a", "multi_b" }),
                "one FirstPaidTransition per user although every invoice event reached two Hosts at once");
            var stored = await ScalarsAsync(pg, "SELECT \"Id\" FROM subscriptions.\"StripeEvents\"");
            Assert.That(stored, Is.EquivalentTo(story.Delivered), "every event Stripe sent is stored, once");
        }

        foreach (var user in new[] { "multi_a", "multi_b" })
        {
            var credits = (await story.GetAsync(0, $"/v1/referrals/{user}/credits")).Arr("data");
            Assert.That(credits.Select(c => c!.Long("days")), Is.EqualTo(new[] { 45L }), $"one referral credit for {user}");

            // Every Host runs the credit deferral job: the credit moves the next charge once, to the target stored for it.
            var subscription = (await story.GetAsync(1, $"/v1/subscriptions/{user}")).Str("stripe_subscription_id");
            await using var pg = new NpgsqlConnection(connectionString);
            await pg.OpenAsync();
            var (state, target, detail) = ("", DateTimeOffset.MinValue, "");
            for (var wait = 0; wait < 120 && state != "done"; wait++)
            {
                await Task.Delay(wait == 0 ? 0 : 250);
                await using var grant = new NpgsqlCommand("SELECT \"DeferralState\", \"DeferralTarget\", concat_ws(' | ', \"DeferralAttempts\", \"DeferralNextAttemptAt\", \"DeferralError\", now()) FROM subscriptions.\"CreditGrants\" WHERE \"UserId\" = $1", pg);
                grant.Parameters.Add(new NpgsqlParameter { Value = user });
                await using var reader = await grant.ExecuteReaderAsync();
                Assert.That(await reader.ReadAsync(), Is.True, $"a credit grant for {user}");
                (state, target) = (reader.GetString(0), reader.IsDBNull(1) ? DateTimeOffset.MinValue : reader.GetFieldValue<DateTimeOffset>(1));
                detail = reader.GetString(2);
                Assert.That(await reader.ReadAsync(), Is.False, $"one credit grant for {user}");
            }
            Assert.That(state, Is.EqualTo("done"), $"{user}'s credit deferral was sent to Stripe (state {state}; attempts | next | error | now: {detail})");
            var trialEnd = DateTimeOffset.FromUnixTimeSeconds((await emulator.GetAsync($"/v1/subscriptions/{subscription}")).Long("trial_end"));
            Assert.That((state, trialEnd), Is.EqualTo(("done", new DateTimeOffset(target.UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero))),
                $"{user}'s next charge moved once, to the stored target");
        }

        // The payout job on all three Hosts at the same moment: one payout, one Stripe transfer. Revenue is payable from the
        // day after the hold (next midnight UTC with Marketplace:HoldDays=0); the Hosts run on the real clock, so the
        // test ends the hold in the database instead of waiting for midnight.
        await using (var pg = new NpgsqlConnection(connectionString))
        {
            await pg.OpenAsync();
            await using var endHold = new NpgsqlCommand("UPDATE marketplace.\"RevenueEvents\" SET \"AvailableAt\" = now() - interval '1 minute'", pg);
            Assert.That(await endHold.ExecuteNonQueryAsync(), Is.EqualTo(2), "two purchases recorded");
        }

        var period = DateTimeOffset.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var runs = await Task.WhenAll(clients.Select((_, i) => story.PostAsync(i, "/v1/marketplace/payouts", new { period })));
        var payouts = (await story.GetAsync(1, "/v1/marketplace/payouts?developer_id=multi_dev")).Arr("data");
        Assert.That(payouts, Has.Count.EqualTo(1), "one payout of (developer, period): " + string.Join(" ", runs.Select(r => r.ToJsonString()))
            + " revenue: " + (await story.GetAsync(0, "/v1/marketplace/developers/multi_dev/revenue_events")).ToJsonString());
        Assert.That((payouts[0]!.Str("status"), payouts[0]!.Long("amount")), Is.EqualTo(("paid", 1_400L)), "70 % of two 10.00 purchases");
        var transfers = (await emulator.GetAsync("/v1/transfers?limit=100")).Arr("data");
        Assert.That(transfers.Select(t => t!.Str("destination")), Is.EqualTo(new[] { account }), "one Stripe transfer");

        // Usage batches posted to all three Hosts at once: each event counted once.
        for (var batch = 0; batch < 3; batch++)
        {
            var events = Enumerable.Range(batch * 100, 100).Select(i => new
            {
                event_id = $"multi-call-{i}",
                user_id = "multi_a",
                meter = "api_calls",
                timestamp = DateTimeOffset.UtcNow,
                properties = new { endpoint = i % 2 == 0 ? "/a" : "/b" },
            }).ToArray();
            await Task.WhenAll(clients.Select((_, i) => story.PostAsync(i, "/v1/usage/events", new { events }, 202)));
        }

        var meters = (await story.GetAsync(2, "/v1/usage/multi_a/consumption")).Arr("meters");
        var used = meters.Single(m => m!.Str("meter") == "api_calls")!.Long("used");
        Assert.That(used, Is.EqualTo(300), "api_calls counts events: 300 distinct events, each posted to three Hosts at once, count once");

        await story.SettleAsync();
        Assert.That((await story.GetAsync(0, "/v1/admin/dead_letters")).Arr("data"), Is.Empty, "no dead letters");
    }

    [Test]
    public async Task Outbox_rows_a_killed_Host_held_are_delivered_by_another_Host_after_the_lease()
    {
        TestDatabases.RequirePostgres();
        var database = "mt_kill_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = await TestDatabases.CreatePostgresDatabaseAsync(database);
        await using var emulator = await EmulatorProcess.StartAsync();
        BuiltHostProcess? doomed = null;
        BuiltHostProcess? survivor = null;
        try
        {
            Dictionary<string, string?> Environment(string poll)
            {
                var environment = HostEnvironment(emulator, connectionString);
                environment["Outbox__LeaseSeconds"] = "3";
                environment["Outbox__PollIntervalSeconds"] = poll;
                return environment;
            }

            // The survivor only polls; each doomed Host takes the requests and is woken by its own commits.
            survivor = BuiltHostProcess.Start(Environment("1"));
            var survivorClient = await ReadyAsync(survivor);
            var setup = new Story([survivorClient], emulator);
            await setup.PostAsync(0, "/v1/marketplace/developers", new { developer_id = "kill_dev", name = "Kill Dev", email = "kill@example.com" }, 201);
            var plugin = (await setup.PostAsync(0, "/v1/marketplace/plugins", new
            {
                developer_id = "kill_dev",
                slug = "kill-plugin",
                name = "Kill Plugin",
                description = "Installed by many users while a Host dies.",
                pricing = new { model = "free" },
            }, 201)).Str("id");

            // Installs through the doomed Host, each an outbox row, until it is seen holding leased rows; then kill -9. A row
            // it had delivered but not yet marked may still get marked in the moment before the kill, so the rows it holds
            // at its death are read afterwards (up to three doomed Hosts, until one dies holding some).
            List<long> held = [];
            var markers = new List<string>();
            for (var attempt = 0; attempt < 3 && held.Count == 0; attempt++)
            {
                doomed = BuiltHostProcess.Start(Environment("0.2"));
                var doomedClient = await ReadyAsync(doomed);
                var marker = $":{doomed.ProcessId}:";
                markers.Add(marker);
                using var stop = new CancellationTokenSource();
                var installs = Task.Run(async () =>
                {
                    for (var i = 0; i < 2_000 && !stop.IsCancellationRequested; i += 8)
                    {
                        try
                        {
                            await Task.WhenAll(Enumerable.Range(i, 8).Select(u => doomedClient.PostAsJsonAsync(
                                $"/v1/marketplace/plugins/{plugin}/installs", new { user_id = $"kill_user_{attempt}_{u}" }, stop.Token)));
                        }
                        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                        {
                            return; // the Host is gone
                        }
                    }
                });

                await using (var pg = new NpgsqlConnection(connectionString))
                {
                    await pg.OpenAsync();
                    var deadline = DateTime.UtcNow.AddSeconds(60);
                    while (DateTime.UtcNow < deadline && (await HeldByAsync(pg, marker, leased: true)).Count == 0)
                    {
                        await Task.Delay(5);
                    }

                    await doomed.KillAsync();
                    await stop.CancelAsync();
                    await installs;
                    held = await HeldByAsync(pg, marker, leased: false);
                }

                await doomed.DisposeAsync();
                doomed = null;
            }

            Assert.That(held, Is.Not.Empty, "a doomed Host died holding outbox rows it had not marked delivered");

            // The survivor delivers every row once the lease runs out, the held ones included.
            await using (var pg = new NpgsqlConnection(connectionString))
            {
                await pg.OpenAsync();
                var deadline = DateTime.UtcNow.AddSeconds(60);
                long pending;
                do
                {
                    await Task.Delay(500);
                    await using var count = new NpgsqlCommand("SELECT count(*) FROM marketplace.\"OutboxMessages\" WHERE \"DispatchedAt\" IS NULL", pg);
                    pending = (long)(await count.ExecuteScalarAsync())!;
                }
                while (pending > 0 && DateTime.UtcNow < deadline);

                Assert.That(pending, Is.Zero, "every outbox row delivered after the lease");
                await using var claimers = new NpgsqlCommand("SELECT \"LockedBy\", \"DeadLetteredAt\" IS NOT NULL FROM marketplace.\"OutboxMessages\" WHERE \"Sequence\" = ANY($1)", pg);
                claimers.Parameters.Add(new NpgsqlParameter { Value = held.ToArray() });
                await using var reader = await claimers.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    Assert.That(markers.Any(reader.GetString(0).Contains), Is.False, "a held row was claimed again by the surviving Host");
                    Assert.That(reader.GetBoolean(1), Is.False, "not dead-lettered");
                }
            }

            Assert.That((await setup.GetAsync(0, "/v1/admin/dead_letters")).Arr("data"), Is.Empty, "no dead letters");
        }
        finally
        {
            if (doomed is not null)
            {
                await doomed.DisposeAsync();
            }

            if (survivor is not null)
            {
                await survivor.DisposeAsync();
            }

            await TestDatabases.DropPostgresDatabaseAsync(database);
        }
    }

    [Test]
    public async Task Usage_invoices_reconciliation_event_retries_and_access_expiry_act_once_when_three_Hosts_run_them_at_once()
    {
        TestDatabases.RequirePostgres();
        await using var cluster = await ThreeHosts.StartAsync("mt_jobs_", new()
        {
            ["Subscriptions__JobPollSeconds"] = "1",
            ["Outbox__PollIntervalSeconds"] = "0.2",
            ["Usage__InvoiceJob__Enabled"] = "false", // the test runs the invoicing on all three Hosts at one moment
            ["Usage__LateDays"] = "40", // last month still takes events, so it has usage to invoice
            ["Usage__ModelPrices__gpt-4o__Input"] = "2.50",
            ["Usage__ModelPrices__gpt-4o__Output"] = "10.00",
        });
        var (emulator, clients, story, connectionString) = (cluster.Emulator, cluster.Clients, cluster.Story, cluster.ConnectionString);
        foreach (var (user, host) in new[] { ("jobs_a", 0), ("jobs_b", 1) })
        {
            var checkout = await story.PostAsync(host, "/v1/subscriptions/checkout", new { user_id = user, email = user + "@example.com", plan = "pro", cadence = "monthly" });
            await emulator.PostAsync($"/_test/checkout_sessions/{checkout.Str("session_id")}/complete", new { card = "4242424242424242" });
        }

        await story.SettleAsync();
        await using var pg = new NpgsqlConnection(connectionString);
        await pg.OpenAsync();

        // Usage invoices: last month's usage of jobs_a (3M input and 100k output tokens of gpt-4o = 8.50 USD), invoiced by all
        // three Hosts at once. One usage invoice, one Stripe invoice, whatever Host won.
        var lastMonth = new DateTimeOffset(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-1);
        var period = lastMonth.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var tokens = new { event_id = "jobs-tokens-1", user_id = "jobs_a", meter = "tokens", timestamp = lastMonth.AddDays(10), properties = new { model = "gpt-4o", input_tokens = 3_000_000, output_tokens = 100_000 } };
        await story.PostAsync(0, "/v1/usage/events", new { events = new[] { tokens } }, 202);
        var runs = await Task.WhenAll(clients.Select((_, i) => story.PostAsync(i, "/v1/usage/invoices", new { period })));
        Assert.That(runs.Sum(r => r.Long("invoices_created")), Is.EqualTo(1), "one run created the invoice: " + string.Join(" ", runs.Select(r => r.ToJsonString())));
        var invoices = (await story.GetAsync(2, "/v1/usage/jobs_a/invoices")).Arr("data");
        Assert.That(invoices, Has.Count.EqualTo(1), "one usage invoice of jobs_a for " + period);
        Assert.That((invoices[0]!.Long("subtotal"), invoices[0]!.Str("status")), Is.EqualTo((850L, "paid")), invoices[0]!.ToJsonString());
        var customer = (await story.GetAsync(0, "/v1/subscriptions/jobs_a")).Str("stripe_customer_id");
        var stripeInvoices = (await emulator.GetAsync($"/v1/invoices?customer={customer}&limit=100")).Arr("data")
            .Where(i => i!["metadata"]?["usage_invoice_id"] is not null).ToList(); // the usage invoices, not the subscription's own
        Assert.That(stripeInvoices.Select(i => i!.Str("id")), Is.EqualTo(new[] { invoices[0]!.Str("stripe_invoice_id") }), "one Stripe invoice for the usage");

        // Reconciliation: jobs_b's status drifted (a lost webhook, say). All three Hosts reconcile at once; one repairs it.
        await ExecuteAsync(pg, "UPDATE subscriptions.\"BillingAccounts\" SET \"Status\" = 'past_due' WHERE \"UserId\" = 'jobs_b'");
        var reconciled = await Task.WhenAll(clients.Select((_, i) => story.PostAsync(i, "/v1/subscriptions/reconcile", null)));
        Assert.That(reconciled.Sum(r => r.Long("changed")), Is.EqualTo(1), "one Host repaired the drift: " + string.Join(" ", reconciled.Select(r => r.ToJsonString())));
        Assert.That((await story.GetAsync(1, "/v1/subscriptions/jobs_b")).Str("status"), Is.EqualTo("active"));

        // Webhook retries: a stored event whose processing failed is retried by the job every Host runs each second; it is
        // applied once (attempts: the failed one and one retry).
        var model = (await ScalarsAsync(pg, "SELECT \"Id\" FROM subscriptions.\"StripeEvents\" WHERE \"Type\" = 'customer.subscription.updated' ORDER BY \"Created\" DESC LIMIT 1")).Single();
        await ExecuteAsync(pg, $"""
            INSERT INTO subscriptions."StripeEvents" ("Id", "Type", "Created", "ObjectId", "Account", "Livemode", "Payload", "Status", "Attempts", "LastError", "ReceivedAt", "ProcessedAt", "NextAttemptAt")
            SELECT 'evt_jobs_retry', "Type", "Created", "ObjectId", "Account", "Livemode", replace("Payload", '{model}', 'evt_jobs_retry'), 'failed', 1, 'simulated: Stripe was down',
                   now(), NULL, now() FROM subscriptions."StripeEvents" WHERE "Id" = '{model}'
            """);
        var (status, attempts) = ("failed", 1L);
        for (var wait = 0; wait < 80 && status == "failed"; wait++)
        {
            await Task.Delay(250);
            await using var row = new NpgsqlCommand("SELECT \"Status\", \"Attempts\" FROM subscriptions.\"StripeEvents\" WHERE \"Id\" = 'evt_jobs_retry'", pg);
            await using var reader = await row.ExecuteReaderAsync();
            await reader.ReadAsync();
            (status, attempts) = (reader.GetString(0), reader.GetInt32(1));
        }

        await Task.Delay(TimeSpan.FromSeconds(3)); // three more rounds of every Host's retry job
        await using (var row = new NpgsqlCommand("SELECT \"Status\", \"Attempts\" FROM subscriptions.\"StripeEvents\" WHERE \"Id\" = 'evt_jobs_retry'", pg))
        await using (var reader = await row.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (status, attempts) = (reader.GetString(0), reader.GetInt32(1));
        }

        Assert.That((status, attempts), Is.EqualTo(("processed", 2L)), "retried once, by one Host");

        // Access expiry: jobs_a's grace period ran out with no Stripe event. Every Host's job sees the account due; one
        // SubscriptionChanged (free) is published.
        const string changesOfA = "SELECT \"Payload\" FROM subscriptions.\"OutboxMessages\" WHERE \"Type\" = 'subscriptions.subscription_changed' AND \"Payload\" LIKE '%\"user_id\":\"jobs_a\"%' ORDER BY \"Sequence\"";
        var before = (await ScalarsAsync(pg, changesOfA)).Count;
        await ExecuteAsync(pg, "UPDATE subscriptions.\"BillingAccounts\" SET \"Status\" = 'past_due', \"GracePeriodEnd\" = now() - interval '1 minute', \"NextAccessCheckAt\" = now() - interval '1 minute' WHERE \"UserId\" = 'jobs_a'");
        var changes = new List<string>();
        for (var wait = 0; wait < 80 && changes.Count <= before; wait++)
        {
            await Task.Delay(250);
            changes = await ScalarsAsync(pg, changesOfA);
        }

        await Task.Delay(TimeSpan.FromSeconds(3)); // three more rounds of every Host's expiry job
        changes = await ScalarsAsync(pg, changesOfA);
        Assert.That(changes, Has.Count.EqualTo(before + 1), "one SubscriptionChanged for the expired grace period");
        Assert.That(JsonNode.Parse(changes[^1])!.Str("access_tier"), Is.EqualTo("free"), changes[^1]);

        await story.SettleAsync();
        Assert.That((await story.GetAsync(0, "/v1/admin/dead_letters")).Arr("data"), Is.Empty, "no dead letters");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A production Host on the test database, with the emulator process as its Stripe.</summary>
    private static Dictionary<string, string?> HostEnvironment(EmulatorProcess emulator, string connectionString) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Auth__AdminApiKey"] = AdminKey,
        ["Stripe__SecretKey"] = SecretKey,
        ["Stripe__ApiBase"] = emulator.BaseUrl.ToString().TrimEnd('/'),
        ["Stripe__WebhookSecrets__0"] = WebhookSecret,
        ["Database__Provider"] = "Postgres",
        ["ConnectionStrings__Postgres"] = connectionString,
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
    };

    /// <summary>Undelivered outbox rows of Marketplace claimed by the Host whose claims contain <paramref name="marker"/> (with a live lease when <paramref name="leased"/>).</summary>
    private static async Task<List<long>> HeldByAsync(NpgsqlConnection pg, string marker, bool leased)
    {
        await using var command = new NpgsqlCommand(
            "SELECT \"Sequence\" FROM marketplace.\"OutboxMessages\" WHERE \"DispatchedAt\" IS NULL AND \"LockedBy\" LIKE $1"
            + (leased ? " AND \"LockedUntil\" > now()" : ""), pg);
        command.Parameters.Add(new NpgsqlParameter { Value = "%" + marker + "%" });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<long>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetInt64(0));
        }

        return rows;
    }

    private static async Task<HttpClient> ReadyAsync(BuiltHostProcess host)
    {
        var client = await host.WaitUntilListeningAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync("/health/ready");
            if (response.IsSuccessStatusCode)
            {
                return client;
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the Host did not become ready:\n" + string.Join("\n", host.Output));
            await Task.Delay(200);
        }
    }

    private static async Task<List<string>> ScalarsAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>
    /// Three production Hosts on a fresh database of the test server with the emulator process as their Stripe: the first
    /// starts alone and migrates, the other two start together against the migrated schemas. Disposing stops the Hosts and
    /// the emulator and drops the database.
    /// </summary>
    private sealed class ThreeHosts : IAsyncDisposable
    {
        private readonly List<BuiltHostProcess> _hosts = [];
        private readonly string _database;

        private ThreeHosts(string database, string connectionString, EmulatorProcess emulator)
        {
            _database = database;
            ConnectionString = connectionString;
            Emulator = emulator;
        }

        public string ConnectionString { get; }

        public EmulatorProcess Emulator { get; }

        public List<HttpClient> Clients { get; } = [];

        private Story? _story;

        /// <summary>The one delivery story of the three Hosts (it remembers which Stripe events it delivered).</summary>
        public Story Story => _story ??= new(Clients, Emulator);

        public static async Task<ThreeHosts> StartAsync(string prefix, Dictionary<string, string?> settings)
        {
            var database = prefix + Guid.NewGuid().ToString("N")[..12];
            var connectionString = await TestDatabases.CreatePostgresDatabaseAsync(database);
            var cluster = new ThreeHosts(database, connectionString, await EmulatorProcess.StartAsync());
            try
            {
                var environment = HostEnvironment(cluster.Emulator, connectionString);
                foreach (var (key, value) in settings)
                {
                    environment[key] = value;
                }

                cluster._hosts.Add(BuiltHostProcess.Start(environment));
                cluster.Clients.Add(await ReadyAsync(cluster._hosts[0]));
                cluster._hosts.Add(BuiltHostProcess.Start(environment));
                cluster._hosts.Add(BuiltHostProcess.Start(environment));
                cluster.Clients.AddRange(await Task.WhenAll(ReadyAsync(cluster._hosts[1]), ReadyAsync(cluster._hosts[2])));
                return cluster;
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var host in _hosts)
            {
                await host.DisposeAsync();
            }

            await Emulator.DisposeAsync();
            await TestDatabases.DropPostgresDatabaseAsync(_database);
        }
    }

    /// <summary>The Hosts' clients, the emulator, and the delivery of what Stripe sent to two Hosts at once.</summary>
    private sealed class Story(IReadOnlyList<HttpClient> hosts, EmulatorProcess emulator)
    {
        private readonly HashSet<string> _delivered = new(StringComparer.Ordinal);
        private int _next;

        /// <summary>Ids of the Stripe events delivered so far.</summary>
        public IReadOnlyCollection<string> Delivered => _delivered;

        public async Task<JsonNode> GetAsync(int host, string path)
        {
            using var response = await hosts[host].GetAsync(path);
            return await response.ReadJsonAsync(200);
        }

        public async Task<JsonNode> PostAsync(int host, string path, object? body, int status = 200)
        {
            using var response = await hosts[host].PostAsJsonAsync(path, body);
            return await response.ReadJsonAsync(status);
        }

        /// <summary>
        /// Delivers every event the emulator holds that was not delivered yet (oldest first, each to two Hosts at the same
        /// moment, the pair turning with each event), until nothing new appears and every module's outbox has delivered
        /// what it holds; the Hosts' background work (credit deferrals, Stripe calls) makes more events meanwhile.
        /// </summary>
        public async Task SettleAsync()
        {
            var quiet = 0;
            for (var round = 0; round < 200 && quiet < 4; round++)
            {
                var fresh = (await emulator.ListEventsAsync()).Where(e => !_delivered.Contains(e.Str("id"))).Reverse().ToList();
                foreach (var evt in fresh)
                {
                    var body = evt.ToJsonString();
                    var first = _next++ % hosts.Count;
                    var second = (first + 1) % hosts.Count;
                    var answers = await Task.WhenAll(DeliverAsync(first, body), DeliverAsync(second, body));
                    Assert.That(answers, Is.All.EqualTo(200), $"{evt.Str("type")} {evt.Str("id")} answered {string.Join(", ", answers)}");
                    _delivered.Add(evt.Str("id"));
                }

                quiet = fresh.Count == 0 && await PendingOutboxRowsAsync() == 0 ? quiet + 1 : 0;
                await Task.Delay(250);
            }

            Assert.That(quiet, Is.GreaterThanOrEqualTo(4), "the Hosts did not settle");
        }

        private async Task<int> DeliverAsync(int host, string body)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            content.Headers.Add("Stripe-Signature", StripeTestKit.Sign(body, WebhookSecret, DateTimeOffset.UtcNow));
            using var response = await hosts[host].PostAsync("/v1/webhooks/stripe", content);
            return (int)response.StatusCode;
        }

        private async Task<int> PendingOutboxRowsAsync()
        {
            var stats = (await GetAsync(0, "/v1/admin/outbox")).Arr("data");
            return stats.Sum(s => (int)s!.Long("pending"));
        }
    }

    /// <summary>The standalone Stripe emulator (<c>Tools/Monetization.StripeEmulator</c>) as a process on a free port, no webhook URL.</summary>
    private sealed partial class EmulatorProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();
        private readonly HttpClient _client = new();

        private EmulatorProcess(Process process) => _process = process;

        public Uri BaseUrl => _client.BaseAddress!;

        public static async Task<EmulatorProcess> StartAsync()
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var dll = Path.Combine(TestPaths.RepositoryRoot, "Tools", "Monetization.StripeEmulator", "bin", configuration, "net10.0", "Monetization.StripeEmulator.dll");
            Assert.That(File.Exists(dll), Is.True, $"the emulator is built beside the tests: {dll}");
            var start = new ProcessStartInfo("dotnet", [dll, "--port", "0", "--webhook-secret", WebhookSecret]) { RedirectStandardOutput = true, RedirectStandardError = true };
            var emulator = new EmulatorProcess(Process.Start(start)!);
            var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            void Receive(string? line)
            {
                if (line is null)
                {
                    return;
                }

                emulator._output.Enqueue(line);
                if (ListeningOn().Match(line) is { Success: true } match)
                {
                    listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
                }
            }

            emulator._process.OutputDataReceived += (_, e) => Receive(e.Data);
            emulator._process.ErrorDataReceived += (_, e) => Receive(e.Data);
            emulator._process.BeginOutputReadLine();
            emulator._process.BeginErrorReadLine();
            var started = await Task.WhenAny(listening.Task, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.That(started, Is.SameAs(listening.Task), "the emulator did not start:\n" + string.Join("\n", emulator._output));
            emulator._client.BaseAddress = await listening.Task;
            emulator._client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SecretKey);
            return emulator;
        }

        public async Task<JsonNode> GetAsync(string path)
        {
            using var response = await _client.GetAsync(path.TrimStart('/'));
            return await response.ReadJsonAsync(200);
        }

        public async Task<JsonNode> PostAsync(string path, object? body)
        {
            using var response = await _client.PostAsJsonAsync(path.TrimStart('/'), body ?? new { });
            return await response.ReadJsonAsync(200);
        }

        /// <summary>Every event, newest first.</summary>
        public async Task<List<JsonNode>> ListEventsAsync()
        {
            var events = new List<JsonNode>();
            string? after = null;
            while (true)
            {
                var page = await GetAsync("/v1/events?limit=100" + (after is null ? "" : "&starting_after=" + after));
                var data = page.Arr("data").Select(e => e!).ToList();
                events.AddRange(data);
                if (!page.Bool("has_more") || data.Count == 0)
                {
                    return events;
                }

                after = data[^1].Str("id");
            }
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        [GeneratedRegex(@"Now listening on: (http://\S+)")]
        private static partial Regex ListeningOn();
    }
}

/// <summary>Reads of the JSON answers this test needs.</summary>
file static class MultiHostJson
{
    public static string Str(this JsonNode node, string name) => node[name]?.GetValue<string>() ?? throw new AssertionException($"no string {name} in {node.ToJsonString()}");

    public static long Long(this JsonNode node, string name) => node[name]?.GetValue<long>() ?? throw new AssertionException($"no number {name} in {node.ToJsonString()}");

    public static bool Bool(this JsonNode node, string name) => node[name]?.GetValue<bool>() ?? false;

    public static JsonArray Arr(this JsonNode node, string name) => node[name] as JsonArray ?? throw new AssertionException($"no array {name} in {node.ToJsonString()}");
}
