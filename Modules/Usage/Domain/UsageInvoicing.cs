using Microsoft.Extensions.Options;
using StripeNet = Stripe;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Monetization.BuildingBlocks.Billing;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Usage;
using Monetization.Usage.Data;

namespace Monetization.Usage.Domain;

/// <summary>
/// Usage invoicing (issue: "Usage invoice for a closed period"), in two phases.
/// <para>1. <see cref="CreateInvoicesAsync"/>, one transaction: marks the period invoiced (it takes no more events), and for
/// each user with priced usage and no invoice yet builds the lines (tokens per (meter, plugin, model) × the model's prices,
/// rounded once per line; a usage-priced plugin's usage at the plugin's own price, issue 20), spends credits first (earliest
/// expiry first), numbers the invoice <c>INV-YYYYMM-NNNN</c>, and per plugin line publishes <see cref="UsageCharged"/> when
/// credits paid it all, else <see cref="UsageChargeBilled"/>.</para>
/// <para>2. <see cref="CollectAsync"/>, per invoice with an amount due, under a lease: one Stripe invoice with an item per
/// line and a negative item for the credits, finalized and paid, each call with an idempotency key derived from
/// (user, period), each Stripe id saved as soon as it exists. A failure leaves the invoice <c>pending</c> for the next run.
/// Paid: <see cref="UsageCharged"/> per plugin line; declined: <see cref="UsageChargeBilled"/> with <c>payment_failed</c>.</para>
/// Billing rule (docs/modules/usage.md): token usage is billed at the plugin's price for usage-priced plugins, else at the
/// model's prices; plan limits cap usage, they are not a free allowance.
/// </summary>
internal sealed partial class UsageInvoicing(
    UsageDbContext db, StripeNet.StripeClient stripe, TimeProvider clock, MeterCatalog meters, TokenPricing pricing, IOptions<UsageOptions> options, ILogger<UsageInvoicing> logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    /// <summary>True when the period's invoices were all created.</summary>
    public Task<bool> IsCompletedAsync(BillingPeriod period, CancellationToken ct)
    {
        var p = period.ToString();
        return db.InvoiceRuns.AnyAsync(r => r.Period == p && r.CompletedAt != null, ct);
    }

    /// <summary>Phase 1: creates the missing invoices of the period; returns how many.</summary>
    public async Task<int> CreateInvoicesAsync(BillingPeriod period, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var p = period.ToString();
        db.ChangeTracker.Clear();
        await using var transaction = await db.BeginWriteTransactionAsync(ct);
        var run = await db.InvoiceRuns.FirstOrDefaultAsync(r => r.Period == p, ct);
        if (run is null)
        {
            run = new UsageInvoiceRun { Period = p, StartedAt = now };
            db.InvoiceRuns.Add(run);
        }

        var pricedMeters = meters.All.Where(m => m.PricedByModel).Select(m => m.Key).ToList();
        var rows = await db.Rollups.AsNoTracking().Where(r => r.Period == p && pricedMeters.Contains(r.Meter) && r.Dimensions != "").ToListAsync(ct);
        var invoiced = (await db.Invoices.Where(i => i.Period == p).Select(i => i.UserId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var sequence = await db.Invoices.CountAsync(i => i.Period == p, ct);
        var users = rows.Select(r => r.UserId).Where(u => !invoiced.Contains(u)).Distinct(StringComparer.Ordinal).ToList();
        var customers = await db.Accounts.AsNoTracking().Where(a => users.Contains(a.UserId)).ToDictionaryAsync(a => a.UserId, a => a.StripeCustomerId, StringComparer.Ordinal, ct);
        var pluginPrices = await db.PluginPrices.AsNoTracking().ToDictionaryAsync(p => p.PluginId, StringComparer.Ordinal, ct);
        var created = 0;
        foreach (var user in rows.GroupBy(r => r.UserId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (invoiced.Contains(user.Key))
            {
                continue;
            }

            var lines = PricedLines.From(user, meters, pricing, pluginPrices).Where(l => l.Amount > 0).ToList();
            if (lines.Count == 0)
            {
                continue;
            }

            sequence++;
            var invoice = new UsageInvoice
            {
                Id = PrefixedId.New("uin"),
                Number = $"INV-{period.Year:D4}{period.Month:D2}-{sequence:D4}",
                UserId = user.Key,
                Period = p,
                Currency = pricing.Currency,
                Subtotal = lines.Sum(l => l.Amount),
                CreatedAt = now,
                UpdatedAt = now,
            };
            var number = 0;
            foreach (var line in lines)
            {
                invoice.Lines.Add(new UsageInvoiceLine
                {
                    Id = PrefixedId.New("uil"),
                    InvoiceId = invoice.Id,
                    LineNumber = ++number,
                    Meter = line.Meter,
                    Model = line.Model,
                    PluginId = line.PluginId,
                    InputTokens = line.InputTokens,
                    OutputTokens = line.OutputTokens,
                    Quantity = line.InputTokens + line.OutputTokens,
                    PriceSource = line.Price.Source,
                    InputUnitAmountDecimal = line.Price.InputText,
                    OutputUnitAmountDecimal = line.Price.OutputText,
                    Amount = line.Amount,
                    Currency = invoice.Currency,
                    Description = line.Description,
                });
            }

            await CreditWallet.ExpireDueAsync(db, user.Key, now, ct);
            invoice.CreditsApplied = await CreditWallet.SpendAsync(db, user.Key, invoice.Subtotal, invoice.Currency, invoice.Id, $"Usage invoice {invoice.Number} ({p})", now, options.Value.LowCreditBalance, ct);
            invoice.AmountDue = invoice.Subtotal - invoice.CreditsApplied;
            if (invoice.AmountDue == 0)
            {
                invoice.Status = UsageInvoiceStatus.Paid;
                invoice.PaidAt = now;
            }
            else
            {
                invoice.Status = customers.GetValueOrDefault(user.Key) is null ? UsageInvoiceStatus.AwaitingCustomer : UsageInvoiceStatus.Pending;
            }

            if (invoice.Status == UsageInvoiceStatus.Paid)
            {
                UsageRevenue.Paid(db, invoice, now);
            }
            else
            {
                UsageRevenue.Pending(db, invoice, now, paymentFailed: false);
            }

            db.Invoices.Add(invoice);
            db.AddIntegrationEvent(new UsageInvoiceIssued(
                IntegrationEventIds.New(now), now, invoice.Id, invoice.Number, invoice.UserId, invoice.Period, invoice.Subtotal, invoice.CreditsApplied, invoice.AmountDue, invoice.Currency, invoice.Status));
            created++;
        }

        run.CompletedAt ??= now;
        run.InvoicesCreated += created;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        db.ChangeTracker.Clear();
        if (created > 0)
        {
            LogCreated(logger, created, p);
        }

        return created;
    }

    /// <summary>Phase 2: runs the Stripe steps of every invoice with an amount due (of one period, or all), each under a lease.</summary>
    /// <param name="period">A period <c>YYYY-MM</c>, or null for all.</param>
    /// <param name="includeFailedPayments">Also retry declined payments (admin runs; the job leaves them to Stripe's dunning and the admin).</param>
    /// <param name="ct">Cancels.</param>
    public async Task CollectAsync(string? period, bool includeFailedPayments, CancellationToken ct)
    {
        var statuses = includeFailedPayments
            ? new[] { UsageInvoiceStatus.Pending, UsageInvoiceStatus.AwaitingCustomer, UsageInvoiceStatus.PaymentFailed }
            : new[] { UsageInvoiceStatus.Pending, UsageInvoiceStatus.AwaitingCustomer };
        var ids = await db.Invoices.AsNoTracking()
            .Where(i => statuses.Contains(i.Status) && (period == null || i.Period == period))
            .OrderBy(i => i.Number)
            .Select(i => i.Id)
            .ToListAsync(ct);
        foreach (var id in ids)
        {
            var now = clock.GetUtcNow();
            var until = now + Lease;
            var claimed = await db.Invoices
                .Where(i => i.Id == id && statuses.Contains(i.Status) && (i.LockedUntil == null || i.LockedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.LockedUntil, until), ct);
            if (claimed == 0)
            {
                continue;
            }

            try
            {
                await CollectOneAsync(id, ct);
            }
            finally
            {
                await db.Invoices.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.LockedUntil, (DateTimeOffset?)null), CancellationToken.None);
            }
        }
    }

    private async Task CollectOneAsync(string id, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var invoice = await db.Invoices.Include(i => i.Lines).FirstAsync(i => i.Id == id, ct);
        var account = await db.Accounts.AsNoTracking().Where(a => a.UserId == invoice.UserId).Select(a => new { a.StripeCustomerId, a.StripeSubscriptionId }).FirstOrDefaultAsync(ct);
        var customer = account?.StripeCustomerId;
        if (customer is null)
        {
            if (invoice.Status != UsageInvoiceStatus.AwaitingCustomer)
            {
                invoice.Status = UsageInvoiceStatus.AwaitingCustomer;
                await SaveAsync(invoice, ct);
            }

            return;
        }

        var key = $"usage-invoice:{invoice.UserId}:{invoice.Period}";
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [UsageInvoiceMetadata.UsageInvoiceId] = invoice.Id,
            ["usage_invoice_number"] = invoice.Number,
            ["period"] = invoice.Period,
            ["user_id"] = invoice.UserId,
        };
        try
        {
            invoice.Status = UsageInvoiceStatus.Pending;
            if (invoice.StripeInvoiceId is null)
            {
                var created = await stripe.V1.Invoices.CreateAsync(
                    new StripeNet.InvoiceCreateOptions
                    {
                        Customer = customer,
                        Subscription = account!.StripeSubscriptionId,
                        CollectionMethod = "charge_automatically",
                        AutoAdvance = false,
                        PendingInvoiceItemsBehavior = "exclude",
                        Currency = invoice.Currency,
                        Description = $"Usage {invoice.Period} ({invoice.Number})",
                        Metadata = metadata,
                    },
                    new StripeNet.RequestOptions { IdempotencyKey = key + ":invoice" },
                    ct);
                invoice.StripeInvoiceId = created.Id;
                invoice.StripeStatus = created.Status;
                await SaveAsync(invoice, ct);
            }

            foreach (var line in invoice.Lines.Where(l => l.StripeInvoiceItemId is null).OrderBy(l => l.LineNumber))
            {
                var item = await stripe.V1.InvoiceItems.CreateAsync(
                    new StripeNet.InvoiceItemCreateOptions
                    {
                        Customer = customer,
                        Amount = line.Amount,
                        Currency = line.Currency,
                        Description = line.Description,
                        Invoice = invoice.StripeInvoiceId,
                        Metadata = new Dictionary<string, string>(metadata, StringComparer.Ordinal)
                        {
                            ["usage_invoice_line_id"] = line.Id,
                            ["model"] = line.Model ?? "",
                            ["plugin_id"] = line.PluginId ?? "",
                        },
                    },
                    new StripeNet.RequestOptions { IdempotencyKey = $"{key}:item:{line.LineNumber}" },
                    ct);
                line.StripeInvoiceItemId = item.Id;
                await SaveAsync(invoice, ct);
            }

            if (invoice.CreditsApplied > 0 && invoice.StripeCreditItemId is null)
            {
                var item = await stripe.V1.InvoiceItems.CreateAsync(
                    new StripeNet.InvoiceItemCreateOptions
                    {
                        Customer = customer,
                        Amount = -invoice.CreditsApplied,
                        Currency = invoice.Currency,
                        Description = "Prepaid credits applied",
                        Invoice = invoice.StripeInvoiceId,
                        Metadata = metadata,
                    },
                    new StripeNet.RequestOptions { IdempotencyKey = key + ":credits" },
                    ct);
                invoice.StripeCreditItemId = item.Id;
                await SaveAsync(invoice, ct);
            }

            if (invoice.StripeStatus is null or "draft")
            {
                var finalized = await stripe.V1.Invoices.FinalizeInvoiceAsync(invoice.StripeInvoiceId!, new StripeNet.InvoiceFinalizeOptions { AutoAdvance = false }, new StripeNet.RequestOptions { IdempotencyKey = key + ":finalize" }, ct);
                invoice.StripeStatus = finalized.Status;
                await SaveAsync(invoice, ct);
            }

            if (invoice.StripeStatus != "paid")
            {
                invoice.PaymentAttempts++;
                await SaveAsync(invoice, ct);
                try
                {
                    var paid = await stripe.V1.Invoices.PayAsync(invoice.StripeInvoiceId!, null, new StripeNet.RequestOptions { IdempotencyKey = $"{key}:pay:{invoice.PaymentAttempts}" }, ct);
                    invoice.StripeStatus = paid.Status;
                }
                catch (StripeNet.StripeException e) when (e.StripeError?.Type == "card_error")
                {
                    invoice.Status = UsageInvoiceStatus.PaymentFailed;
                    invoice.LastError = e.Message;
                    UsageRevenue.Pending(db, invoice, clock.GetUtcNow(), paymentFailed: true);
                    await SaveAsync(invoice, ct);
                    LogDeclined(logger, invoice.Number, e.Message);
                    return;
                }
                catch (StripeNet.StripeException e) when (e.StripeError?.Type == "invalid_request_error")
                {
                    // Paid already (e.g. by an earlier attempt whose answer was lost): Stripe refuses to pay twice.
                    var current = await stripe.V1.Invoices.GetAsync(invoice.StripeInvoiceId!, null, null, ct);
                    if (current.Status != "paid")
                    {
                        throw;
                    }

                    invoice.StripeStatus = current.Status;
                }
            }

            if (invoice.StripeStatus == "paid")
            {
                invoice.Status = UsageInvoiceStatus.Paid;
                invoice.PaidAt = clock.GetUtcNow();
                invoice.LastError = null;
                UsageRevenue.Paid(db, invoice, invoice.PaidAt.Value);
                await SaveAsync(invoice, ct);
            }
        }
        catch (StripeNet.StripeException e)
        {
            invoice.LastError = $"Stripe {(int)e.HttpStatusCode}: {e.Message}";
            await SaveAsync(invoice, ct);
            LogStripeFailed(logger, e, invoice.Number);
        }
    }

    private async Task SaveAsync(UsageInvoice invoice, CancellationToken ct)
    {
        invoice.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created {Count} usage invoices for {Period}")]
    private static partial void LogCreated(ILogger logger, int count, string period);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage invoice {Number}: Stripe declined the payment: {Reason}")]
    private static partial void LogDeclined(ILogger logger, string number, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage invoice {Number}: a Stripe step failed; it is retried on the next run")]
    private static partial void LogStripeFailed(ILogger logger, Exception exception, string number);
}
