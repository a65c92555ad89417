using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Stripe;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;
using static Monetization.Subscriptions.Features.HandleStripeEvents.StripeObjects;
using StripeNet = Stripe;

namespace Monetization.Subscriptions.Features.HandleStripeEvents;

/// <summary>
/// <c>invoice.*</c> and <c>invoice_payment.paid</c> events: the stored invoices, <see cref="InvoicePaid"/> once per paid
/// invoice, the first paid transition (<see cref="FirstPaidTransition"/>, once per user), dunning (past due and the grace
/// period on a failed payment) and voids. An invoice never stored is recorded as Stripe returns it now (issue 16).
/// </summary>
internal sealed class InvoiceEvents(StripeEventScope scope, SubscriptionEvents subscriptions, SubscriptionsDbContext db, PlanCatalog catalog, TimeProvider clock, IOptions<SubscriptionsOptions> options)
{
    internal async Task<string> PaidAsync(StripeEventEnvelope evt, StripeNet.Subscription? refetched, CancellationToken ct)
    {
        var invoice = evt.GetObject<StripeNet.Invoice>();
        var subscriptionId = SubscriptionIdOf(invoice);
        var now = clock.GetUtcNow();
        var account = await scope.ResolveAsync(invoice.CustomerId, Meta(invoice.Parent?.SubscriptionDetails?.Metadata, MetadataKeys.UserId), invoice.CustomerEmail, ct);
        var fetched = subscriptionId is { } refersTo && SubscriptionEvents.KnowsOrMayAdopt(account, refersTo)
            && subscriptions.RequireSubscriptionState(account, refersTo, refetched, evt.Created);
        var record = await RecordPaidAsync(invoice, account, now, ct);

        var before = (account.GracePeriodEnd, account.Status, account.TrialUsed);
        if (!fetched && subscriptionId is { } subId && (account.StripeSubscriptionId is null || account.StripeSubscriptionId == subId)
            && (account.StateAsOf is null || evt.Created >= account.StateAsOf))
        {
            // A payment ends grace; an older invoice's payment delivered after a newer failure does not (issue 16). It also
            // makes an `incomplete` subscription `active` (Stripe: a subscription leaves `incomplete` when its first invoice is
            // paid), so a consumer of this payment (the referred user's credit) sees a paying account even when
            // customer.subscription.updated comes after it.
            account.GracePeriodEnd = null;
            if (account.Status is SubscriptionStatuses.PastDue or SubscriptionStatuses.Unpaid or SubscriptionStatuses.Incomplete)
            {
                account.Status = SubscriptionStatuses.Active;
                account.StateAsOf = evt.Created; // the payment proves the state as of now: an older past_due update is stale
            }
        }

        if (subscriptionId is not null && invoice.AmountPaid > 0)
        {
            account.TrialUsed = true;
        }

        if ((account.GracePeriodEnd, account.Status, account.TrialUsed) != before)
        {
            account.UpdatedAt = now; // a renewal that changes nothing leaves the account row alone
        }

        if (subscriptionId is not null && invoice.AmountPaid > 0)
        {
            var plan = Lines(invoice).Select(l => catalog.ByPriceId(l.Pricing?.PriceDetails?.PriceId)?.Plan).FirstOrDefault(p => p is { IsPaid: true })
                ?? (catalog.Find(account.Plan) is { IsPaid: true } known ? known : null)
                ?? catalog.Find(Meta(invoice.Parent?.SubscriptionDetails?.Metadata, MetadataKeys.Plan));
            if (plan is { IsPaid: true } && await db.FirstPaidMarkers.FindAsync([account.UserId], ct) is null)
            {
                db.FirstPaidMarkers.Add(new FirstPaidMarker { UserId = account.UserId, InvoiceId = invoice.Id, AmountPaid = invoice.AmountPaid, Currency = invoice.Currency, OccurredAt = now });
                db.AddIntegrationEvent(new FirstPaidTransition(
                    IntegrationEventIds.New(now),
                    now,
                    account.UserId,
                    invoice.CustomerId ?? account.StripeCustomerId ?? "",
                    subscriptionId,
                    invoice.Id,
                    record.ChargeId,
                    plan.Key,
                    invoice.AmountPaid,
                    invoice.Currency,
                    account.Email ?? invoice.CustomerEmail));
            }
        }

        AccessCalculator.PublishIfChanged(db, account, catalog, now);
        return StripeEventStatuses.Processed;
    }

    internal async Task<string> PaymentFailedAsync(StripeEventEnvelope evt, StripeNet.Subscription? refetched, CancellationToken ct)
    {
        var invoice = evt.GetObject<StripeNet.Invoice>();
        var subscriptionId = SubscriptionIdOf(invoice);
        var now = clock.GetUtcNow();
        var account = await scope.ResolveAsync(invoice.CustomerId, Meta(invoice.Parent?.SubscriptionDetails?.Metadata, MetadataKeys.UserId), invoice.CustomerEmail, ct);
        var stored = await scope.FindInvoiceAsync(invoice.Id, ct);
        if (stored is null && !scope.MissingAtStripe.Contains(invoice.Id) && scope.FetchedInvoice?.Id != invoice.Id)
        {
            // Never stored (issue 16): the failure may be history already (the invoice paid since, its invoice.paid late), so
            // the invoice is fetched with, when its state is missing too, the subscription.
            var needsSubscription = subscriptionId is { } sub && SubscriptionEvents.KnowsOrMayAdopt(account, sub) && !scope.MissingAtStripe.Contains(sub)
                && (refetched is null || refetched.Id != sub) && (account.StripeSubscriptionId != sub || account.StateAsOf is null);
            throw RefetchRequiredException.ForInvoice(invoice.Id, needsSubscription ? subscriptionId : null);
        }

        var fetched = subscriptionId is { } refersTo && SubscriptionEvents.KnowsOrMayAdopt(account, refersTo)
            && subscriptions.RequireSubscriptionState(account, refersTo, refetched, evt.Created);
        if (stored is null && scope.FetchedInvoice is { Id: var fetchedId } current && fetchedId == invoice.Id && current.Status == "paid")
        {
            await RecordPaidAsync(current, account, now, ct); // Stripe's current truth: paid, so the failure changes nothing
        }

        var record = await UpsertInvoiceAsync(invoice, account.UserId, now, ct);
        if (!fetched && subscriptionId is { } subId && account.StripeSubscriptionId == subId && record.PaidAt is null)
        {
            // A failure delivered after the same invoice's payment is history: it neither ends access nor starts grace.
            if (account.Status is SubscriptionStatuses.Active or SubscriptionStatuses.Trialing && (account.StateAsOf is null || evt.Created >= account.StateAsOf))
            {
                account.Status = SubscriptionStatuses.PastDue;
                account.StateAsOf = evt.Created;
            }

            if (account.Status == SubscriptionStatuses.PastDue)
            {
                account.GracePeriodEnd ??= now.AddDays(options.Value.GraceDays); // a second failure does not extend it
            }

            account.UpdatedAt = now;
        }

        db.AddIntegrationEvent(new InvoicePaymentFailed(
            IntegrationEventIds.New(now),
            now,
            account.UserId,
            invoice.Id,
            subscriptionId,
            invoice.AmountDue,
            invoice.Currency,
            invoice.AttemptCount,
            StripeDates.Utc(invoice.NextPaymentAttempt),
            account.GracePeriodEnd));
        AccessCalculator.PublishIfChanged(db, account, catalog, now);
        return StripeEventStatuses.Processed;
    }

    /// <summary>
    /// <c>invoice_payment.paid</c> (basil and later): remembers which charge/PaymentIntent paid an invoice, so refunds find it.
    /// An invoice never stored is fetched from Stripe and recorded first (issue 16), so a payment delivered before its
    /// <c>invoice.paid</c> is not lost.
    /// </summary>
    internal async Task<string> InvoicePaymentPaidAsync(StripeEventEnvelope evt, CancellationToken ct)
    {
        var payment = evt.GetObject<StripeNet.InvoicePayment>();
        if (payment.InvoiceId is not { } invoiceId || await RequireInvoiceAsync(invoiceId, ct) is not { } record)
        {
            return StripeEventStatuses.Ignored;
        }

        record.ChargeId ??= payment.Payment?.ChargeId;
        record.PaymentIntentId ??= payment.Payment?.PaymentIntentId;

        return StripeEventStatuses.Processed;
    }

    /// <summary>
    /// <c>invoice.voided</c>: records the invoice's <c>void</c> status (never over <c>paid</c>) and publishes
    /// <see cref="InvoiceVoided"/>, so Usage voids the usage invoice it billed (issue 20). The customer need not be known.
    /// </summary>
    internal async Task<string> VoidedAsync(StripeEventEnvelope evt, CancellationToken ct)
    {
        var invoice = evt.GetObject<StripeNet.Invoice>();
        var now = clock.GetUtcNow();
        var stored = await scope.FindInvoiceAsync(invoice.Id, ct);
        if (stored is not null && stored.PaidAt is null && stored.Status != "paid")
        {
            stored.Status = "void";
            stored.UpdatedAt = now;
        }

        var customer = invoice.CustomerId;
        var userId = stored?.UserId
            ?? Meta(invoice.Metadata, MetadataKeys.UserId)
            ?? (customer is null ? null : await db.Accounts.AsNoTracking().Where(a => a.StripeCustomerId == customer).Select(a => a.UserId).FirstOrDefaultAsync(ct));
        db.AddIntegrationEvent(new InvoiceVoided(IntegrationEventIds.New(now), now, userId, invoice.Id, SubscriptionIdOf(invoice), invoice.AmountDue, invoice.Currency, invoice.Metadata ?? []));
        return StripeEventStatuses.Processed;
    }

    private async Task<InvoiceRecord> UpsertInvoiceAsync(StripeNet.Invoice invoice, string userId, DateTimeOffset now, CancellationToken ct)
    {
        var record = await scope.FindInvoiceAsync(invoice.Id, ct);
        if (record is null)
        {
            record = new InvoiceRecord { InvoiceId = invoice.Id, UserId = userId };
            db.Invoices.Add(record);
            scope.TrackNewInvoice(record);
        }

        record.StripeSubscriptionId ??= SubscriptionIdOf(invoice);
        record.Status = record.PaidAt is not null || record.Status == "paid" ? record.Status : invoice.Status ?? record.Status; // paid is final
        record.AmountDue = invoice.AmountDue;
        record.AmountPaid = Math.Max(record.AmountPaid, invoice.AmountPaid);
        record.Currency = invoice.Currency;
        record.AttemptCount = Math.Max(record.AttemptCount, invoice.AttemptCount);
        record.UpdatedAt = now;
        var payment = invoice.Payments?.Data.FirstOrDefault(p => p.Status == "paid")?.Payment;
        record.ChargeId ??= payment?.ChargeId;
        record.PaymentIntentId ??= payment?.PaymentIntentId;
        return record;
    }

    /// <summary>
    /// The ordering rule for invoices (issue 16; docs/adr/0040): an event that refers to invoice <paramref name="invoiceId"/>
    /// never stored here (an <c>invoice_payment.paid</c> before its <c>invoice.paid</c>) records the invoice as Stripe returns
    /// it now (<see cref="RecordFetchedInvoiceAsync"/>); without the fetched invoice this throws
    /// <see cref="RefetchRequiredException"/>. Null when Stripe answered 404 (a sample or foreign event).
    /// </summary>
    internal async Task<InvoiceRecord?> RequireInvoiceAsync(string invoiceId, CancellationToken ct)
    {
        if (await scope.FindInvoiceAsync(invoiceId, ct) is { } stored)
        {
            return stored;
        }

        if (scope.MissingAtStripe.Contains(invoiceId))
        {
            return null;
        }

        return scope.FetchedInvoice is { } fetched && fetched.Id == invoiceId
            ? await RecordFetchedInvoiceAsync(fetched, ct)
            : throw RefetchRequiredException.ForInvoice(invoiceId);
    }

    /// <summary>
    /// Records an invoice fetched from Stripe as its own events would have: a <c>paid</c> one with its <see cref="InvoicePaid"/>
    /// (once, guarded by <see cref="InvoiceRecord.PaidAt"/>), any other as it stands. The subscription's state is left to
    /// the subscription's and invoice's own events (and their re-fetch), which still come.
    /// </summary>
    internal async Task<InvoiceRecord> RecordFetchedInvoiceAsync(StripeNet.Invoice invoice, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var account = await scope.ResolveAsync(invoice.CustomerId, Meta(invoice.Parent?.SubscriptionDetails?.Metadata, MetadataKeys.UserId), invoice.CustomerEmail, ct);
        return invoice.Status == "paid" ? await RecordPaidAsync(invoice, account, now, ct) : await UpsertInvoiceAsync(invoice, account.UserId, now, ct);
    }

    /// <summary>Stores a paid invoice and publishes <see cref="InvoicePaid"/> the first time it is seen paid (amounts in minor units of <c>currency</c>).</summary>
    private async Task<InvoiceRecord> RecordPaidAsync(StripeNet.Invoice invoice, BillingAccount account, DateTimeOffset now, CancellationToken ct)
    {
        var record = await UpsertInvoiceAsync(invoice, account.UserId, now, ct);
        if (record.PaidAt is null)
        {
            record.PaidAt = now;
            db.AddIntegrationEvent(new InvoicePaid(
                IntegrationEventIds.New(now),
                now,
                account.UserId,
                invoice.CustomerId ?? account.StripeCustomerId ?? "",
                invoice.Id,
                SubscriptionIdOf(invoice),
                invoice.BillingReason,
                invoice.AmountPaid,
                invoice.Currency,
                record.ChargeId,
                record.PaymentIntentId,
                Lines(invoice).Select(ToLine).ToList(),
                invoice.Metadata ?? []));
        }

        return record;
    }
}
