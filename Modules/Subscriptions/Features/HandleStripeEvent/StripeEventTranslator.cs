using Monetization.BuildingBlocks.Billing;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Stripe;
using StripeNet = Stripe;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;

namespace Monetization.Subscriptions.Features.HandleStripeEvent;

/// <summary>
/// Translates one verified Stripe event into local state and integration events, inside the caller's transaction
/// (nothing is saved here). The only place that reads Stripe payloads (bound to Stripe.net's models of API version 2026-10-28.endive, which read 2026-07-29.dahlia events too: periods on
/// <c>items.data[]</c>, an invoice's subscription at <c>parent.subscription_details.subscription</c>, line prices at
/// <c>pricing.price_details.price</c>). Returns <c>processed</c> or <c>ignored</c>.
/// </summary>
internal sealed class StripeEventTranslator(SubscriptionsDbContext db, PlanCatalog catalog, TimeProvider clock, IOptions<SubscriptionsOptions> options)
{
    /// <summary>Accounts of a batch by Stripe customer id, tracked by <c>db</c>; empty outside a batch.</summary>
    private readonly Dictionary<string, BillingAccount> _byCustomer = new(StringComparer.Ordinal);

    /// <summary>Invoices a batch names, tracked, or null for one not stored; empty outside a batch.</summary>
    private readonly Dictionary<string, InvoiceRecord?> _invoices = new(StringComparer.Ordinal);
    private bool _inBatch;

    /// <summary>
    /// Deserialises the object of an event whose type is handled, so the work is done on the caller's thread (the request)
    /// rather than in the intake's writer loop; the result is kept on the event. A malformed object is left for
    /// <see cref="ApplyAsync"/> to report.
    /// </summary>
    public static void Prepare(StripeEventEnvelope evt)
    {
        try
        {
            _ = ObjectTypeOf(evt.Type) switch
            {
                "checkout.session" => evt.GetObject<StripeNet.Checkout.Session>(),
                "subscription" => evt.GetObject<StripeNet.Subscription>(),
                "invoice" => evt.GetObject<StripeNet.Invoice>(),
                "invoice_payment" => evt.GetObject<StripeNet.InvoicePayment>(),
                "charge" => evt.GetObject<StripeNet.Charge>(),
                "account" => (object)evt.GetObject<StripeNet.Account>(),
                _ => null,
            };
        }
        catch (JsonException)
        {
            // Reported when the event is applied (stored as failed).
        }
    }

    /// <summary>
    /// Loads, tracked, the accounts a batch of events names (by Stripe customer id and by user id hint), their first-paid
    /// markers and the batch's invoices, in three queries instead of several per event. Valid until <see cref="ForgetPreloaded"/>; the caller holds the
    /// database's writer (one transaction for the batch), so what is tracked stays current.
    /// </summary>
    public async Task PreloadAsync(IEnumerable<StripeEventEnvelope> events, CancellationToken ct)
    {
        _inBatch = true;
        var customers = new HashSet<string>(StringComparer.Ordinal);
        var users = new HashSet<string>(StringComparer.Ordinal);
        var invoices = new HashSet<string>(StringComparer.Ordinal);
        foreach (var evt in events)
        {
            if (ObjectTypeOf(evt.Type) == "invoice" && Try(() => evt.GetObject<StripeNet.Invoice>()) is { Id: { Length: > 0 } invoiceId })
            {
                invoices.Add(invoiceId);
            }

            var (customer, user) = ObjectTypeOf(evt.Type) switch
            {
                "subscription" => Try(() => evt.GetObject<StripeNet.Subscription>()) is { } s ? (s.CustomerId, Meta(s.Metadata, MetadataKeys.UserId)) : default,
                "invoice" => Try(() => evt.GetObject<StripeNet.Invoice>()) is { } i ? (i.CustomerId, Meta(i.Parent?.SubscriptionDetails?.Metadata, MetadataKeys.UserId)) : default,
                "checkout.session" => Try(() => evt.GetObject<StripeNet.Checkout.Session>()) is { } c ? (c.CustomerId, c.ClientReferenceId ?? Meta(c.Metadata, MetadataKeys.UserId)) : default,
                _ => default((string?, string?)),
            };
            if (customer is not null)
            {
                customers.Add(customer);
            }

            if (user is not null && UserIds.IsValid(user))
            {
                users.Add(user);
            }
        }

        if (invoices.Count > 0)
        {
            foreach (var id in invoices)
            {
                _invoices[id] = null;
            }

            foreach (var invoice in await db.Invoices.FromSqlRaw(InvoicesByIdSql, JsonList(invoices)).ToListAsync(ct))
            {
                _invoices[invoice.InvoiceId] = invoice;
            }
        }

        if (customers.Count == 0 && users.Count == 0)
        {
            return;
        }

        var accounts = await db.Accounts.FromSqlRaw(AccountsByCustomerOrUserSql, JsonList(customers), JsonList(users)).ToListAsync(ct);
        foreach (var account in accounts)
        {
            if (account.StripeCustomerId is { } c)
            {
                _byCustomer[c] = account;
            }

            users.Add(account.UserId);
        }

        await db.FirstPaidMarkers.FromSqlRaw(FirstPaidMarkersByUserSql, JsonList(users)).LoadAsync(ct);
    }

    // The batch's keys go to SQLite as one JSON array each (json_each), so each query's SQL is the same for every batch:
    // EF Core generates it once and caches it. A LINQ Contains over a list expanded to one parameter per key and made EF
    // Core generate the SQL again for every batch (3 % of the Host's CPU under webhook load). EF Core 10's own translation
    // of Contains was measured 11-33 % slower on this path than these statements (ADR 0001), so they stay.
    private const string InvoicesByIdSql = "SELECT * FROM Invoices WHERE InvoiceId IN (SELECT value FROM json_each({0}))";
    private const string AccountsByCustomerOrUserSql =
        "SELECT * FROM BillingAccounts WHERE StripeCustomerId IN (SELECT value FROM json_each({0})) OR UserId IN (SELECT value FROM json_each({1}))";
    private const string FirstPaidMarkersByUserSql = "SELECT * FROM FirstPaidMarkers WHERE UserId IN (SELECT value FROM json_each({0}))";

    /// <summary>The keys as a JSON array of strings, for <c>json_each</c>.</summary>
    internal static string JsonList(IEnumerable<string> keys) => JsonSerializer.Serialize(keys);

    /// <summary>
    /// Read-only: what <paramref name="evt"/> refers to and must be fetched from Stripe before it is applied (the conditions of
    /// <see cref="RequireSubscriptionState"/> and <see cref="RequireInvoiceAsync"/>), or null. A batch asks first, so such an
    /// event is set aside for the fetch instead of rolling the whole batch back.
    /// </summary>
    public async Task<RefetchRequiredException?> ToFetchAsync(StripeEventEnvelope evt, CancellationToken ct)
    {
        switch (evt.Type)
        {
            case "invoice_payment.paid":
                return Try(() => evt.GetObject<StripeNet.InvoicePayment>()) is { InvoiceId: { Length: > 0 } paidInvoice }
                    && await FindInvoiceAsync(paidInvoice, ct) is null
                    ? RefetchRequiredException.ForInvoice(paidInvoice)
                    : null;
            case "charge.refunded":
                return Try(() => evt.GetObject<StripeNet.Charge>()) is { } charge && await RefundNeedsInvoiceAsync(charge, ct)
                    ? RefetchRequiredException.ForPayment(charge.PaymentIntentId!)
                    : null;
            case "invoice.payment_failed":
                var failed = Try(() => evt.GetObject<StripeNet.Invoice>());
                if (failed is { Id: { Length: > 0 } failedId } && await FindInvoiceAsync(failedId, ct) is null)
                {
                    // Both at once: the invoice, and the subscription when its state is missing too.
                    return RefetchRequiredException.ForInvoice(failedId, await SubscriptionToFetchAsync(evt, ct));
                }

                break;
        }

        return await SubscriptionToFetchAsync(evt, ct) is { } subscriptionId ? new RefetchRequiredException(subscriptionId, unknownState: true) : null;
    }

    /// <summary>
    /// Read-only: the subscription that <paramref name="evt"/> refers to and whose state is not stored, so it must be fetched
    /// from Stripe before the event is applied (the conditions of <see cref="RequireSubscriptionState"/>), or null.
    /// </summary>
    private async Task<string?> SubscriptionToFetchAsync(StripeEventEnvelope evt, CancellationToken ct)
    {
        string? subscriptionId;
        string? customerId;
        string? hint;
        var preferUser = false;
        switch (evt.Type)
        {
            case "checkout.session.completed" or "checkout.session.async_payment_succeeded":
                var session = Try(() => evt.GetObject<StripeNet.Checkout.Session>());
                if (session is not { Mode: "subscription", Status: "complete" })
                {
                    return null;
                }

                subscriptionId = session.SubscriptionId;
                customerId = session.CustomerId;
                hint = UserIds.IsValid(session.ClientReferenceId) ? session.ClientReferenceId : Meta(session.Metadata, MetadataKeys.UserId);
                preferUser = true;
                break;
            case "invoice.paid" or "invoice.payment_succeeded" or "invoice.payment_failed":
                var invoice = Try(() => evt.GetObject<StripeNet.Invoice>());
                subscriptionId = invoice is null ? null : SubscriptionIdOf(invoice);
                customerId = invoice?.CustomerId;
                hint = Meta(invoice?.Parent?.SubscriptionDetails?.Metadata, MetadataKeys.UserId);
                break;
            default:
                return null;
        }

        if (subscriptionId is null)
        {
            return null;
        }

        hint = UserIds.IsValid(hint) ? hint : null;
        BillingAccount? account = null;
        if (preferUser && hint is not null)
        {
            account = await db.Accounts.FindAsync([hint], ct);
        }

        if (account is null && customerId is not null && !_byCustomer.TryGetValue(customerId, out account))
        {
            account = await db.Accounts.FirstOrDefaultAsync(a => a.StripeCustomerId == customerId, ct);
        }

        if (account is null && hint is not null)
        {
            account = await db.Accounts.FindAsync([hint], ct);
        }

        if (account is null)
        {
            return hint is null ? null : subscriptionId; // no user at all fails as an unknown customer, as before
        }

        return KnowsOrMayAdopt(account, subscriptionId) && (account.StripeSubscriptionId != subscriptionId || account.StateAsOf is null) ? subscriptionId : null;
    }

    /// <summary>
    /// True for event types whose handling queries by columns other than keys (a refund looks its invoice up by charge): in a
    /// batch, what earlier events changed must be saved before such an event is applied, or the query would not see it.
    /// </summary>
    public static bool ReadsBeyondKeys(string type) => type == "charge.refunded";

    /// <summary>Ends a batch: forgets the preloaded accounts (the caller clears the change tracker).</summary>
    public void ForgetPreloaded()
    {
        _inBatch = false;
        _byCustomer.Clear();
        _invoices.Clear();
    }

    /// <summary>
    /// Applies <paramref name="evt"/>; <paramref name="fetched"/> is what was fetched from Stripe after a tie, or because the
    /// event refers to a subscription or invoice whose state we do not have yet (issue 16: see <see cref="RequireSubscriptionState"/>
    /// and <see cref="RequireInvoiceAsync"/>).
    /// </summary>
    /// <param name="evt">The event.</param>
    /// <param name="fetched">What Stripe returned for the objects the event needed, or null.</param>
    /// <param name="ct">Cancels the work.</param>
    /// <exception cref="RefetchRequiredException">The event needs a subscription's or invoice's current state from Stripe first.</exception>
    public Task<string> ApplyAsync(StripeEventEnvelope evt, RefetchResult? fetched, CancellationToken ct)
    {
        _missingAtStripe = fetched?.Missing ?? EmptySet;
        _fetchedInvoice = fetched?.Invoice;
        return Apply(evt, fetched?.Subscription, ct);
    }

    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();

    /// <summary>Ids Stripe had nothing for (404, or a PaymentIntent of no invoice): the event applies from its own object.</summary>
    private IReadOnlySet<string> _missingAtStripe = EmptySet;

    /// <summary>The invoice fetched from Stripe for the event being applied, or null.</summary>
    private StripeNet.Invoice? _fetchedInvoice;

    private Task<string> Apply(StripeEventEnvelope evt, StripeNet.Subscription? refetched, CancellationToken ct) => evt.Type switch
    {
        "checkout.session.completed" or "checkout.session.async_payment_succeeded" => CheckoutCompletedAsync(evt, refetched, ct),
        "customer.subscription.created" or "customer.subscription.updated" or "customer.subscription.deleted"
            or "customer.subscription.trial_will_end" or "customer.subscription.paused" or "customer.subscription.resumed"
            => SubscriptionEventAsync(evt, refetched, ct),
        "invoice.paid" or "invoice.payment_succeeded" => InvoicePaidAsync(evt, refetched, ct),
        "invoice.payment_failed" => InvoicePaymentFailedAsync(evt, refetched, ct),
        "invoice.voided" => InvoiceVoidedAsync(evt, ct),
        "invoice_payment.paid" => InvoicePaymentPaidAsync(evt, ct),
        "charge.refunded" => ChargeRefundedAsync(evt, ct),
        "account.updated" => AccountUpdatedAsync(evt),
        _ => Task.FromResult(StripeEventStatuses.Ignored),
    };

    /// <summary>
    /// Applies a subscription object as of <paramref name="asOf"/> (event <c>created</c>, or now for a re-fetch) unless what is
    /// stored is newer; on a tie with a different state throws <see cref="RefetchRequiredException"/> (unless <paramref name="forced"/>).
    /// </summary>
    /// <returns>True when the stored subscription changed.</returns>
    public bool ApplySubscription(BillingAccount account, StripeNet.Subscription sub, DateTimeOffset asOf, bool forced)
    {
        var now = clock.GetUtcNow();
        if (account.StripeSubscriptionId is { } current && current != sub.Id)
        {
            if (SubscriptionStatuses.IsFinal(sub.Status))
            {
                return false; // an older subscription ending does not touch the current one
            }

            if (!SubscriptionStatuses.IsFinal(account.Status) && account.SubscriptionCreatedAt is { } c && StripeDates.Utc(sub.Created) is { } sc && sc < c)
            {
                return false; // an older live subscription than the current one
            }

            account.StateAsOf = null;
            account.GracePeriodEnd = null;
            account.DeferredUntil = null;
        }
        else if (!forced && account.StateAsOf is { } stored)
        {
            if (asOf < stored)
            {
                return false; // stale: Stripe's later state is already stored
            }

            if (asOf == stored && account.StripeSubscriptionId == sub.Id)
            {
                if (SubscriptionStatuses.IsFinal(account.Status) || SameState(account, sub))
                {
                    return false;
                }

                if (!SubscriptionStatuses.IsFinal(sub.Status))
                {
                    throw new RefetchRequiredException(sub.Id);
                }
            }
        }

        var item = PlanItem(sub);
        var byPrice = catalog.ByPriceId(item?.Price?.Id);
        var metadataPlan = Meta(sub.Metadata, MetadataKeys.Plan);
        account.StripeSubscriptionId = sub.Id;
        account.StripeSubscriptionItemId = item?.Id;
        account.PriceId = item?.Price?.Id;
        account.Plan = byPrice?.Plan.Key ?? (catalog.Find(metadataPlan) is { IsPaid: true } p ? p.Key : metadataPlan);
        account.Cadence = byPrice?.Cadence
            ?? Cadences.FromStripeInterval(item?.Price?.Recurring?.Interval, item?.Price?.Recurring?.IntervalCount ?? 1)
            ?? (Meta(sub.Metadata, MetadataKeys.Cadence) is { } cadence && Cadences.IsKnown(cadence) ? cadence : null);
        account.Status = sub.Status;
        account.CurrentPeriodStart = StripeDates.Utc(item?.CurrentPeriodStart);
        account.CurrentPeriodEnd = StripeDates.Utc(item?.CurrentPeriodEnd);
        account.TrialStart = StripeDates.Utc(sub.TrialStart);
        account.TrialEnd = StripeDates.Utc(sub.TrialEnd);
        account.CancelAtPeriodEnd = sub.CancelAtPeriodEnd;
        account.CancelAt = StripeDates.Utc(sub.CancelAt);
        account.CanceledAt = StripeDates.Utc(sub.CanceledAt);
        account.EndedAt = StripeDates.Utc(sub.EndedAt);
        account.SubscriptionCreatedAt = StripeDates.Utc(sub.Created);
        account.StateAsOf = account.StateAsOf is { } s && s > asOf ? s : asOf;
        account.UpdatedAt = now;
        if (sub.CustomerId is { } customer && account.StripeCustomerId is null)
        {
            LinkCustomer(account, customer, now);
        }

        switch (sub.Status)
        {
            case SubscriptionStatuses.Trialing:
                if (account.DeferredUntil is null || account.TrialEnd != account.DeferredUntil)
                {
                    account.TrialUsed = true;
                }

                account.GracePeriodEnd = null;
                break;
            case SubscriptionStatuses.Active:
                account.GracePeriodEnd = null;
                break;
            case SubscriptionStatuses.PastDue:
                account.GracePeriodEnd ??= now.AddDays(options.Value.GraceDays);
                break;
            default:
                account.GracePeriodEnd = null;
                break;
        }

        return true;
    }

    /// <summary>
    /// The ordering rule (issue 16; docs/adr/0040): an event that refers to subscription <paramref name="subscriptionId"/>
    /// (a checkout's <c>subscription</c>, an invoice's <c>parent.subscription_details.subscription</c>) while we do not have
    /// that subscription's state (another or no subscription is stored for the user, or only the checkout's placeholder)
    /// cannot be applied from its own object: Stripe delivers in no order, and the <c>customer.subscription.*</c> events may
    /// come days later. With <paramref name="refetched"/> (the subscription as Stripe returns it now) the state is applied
    /// first, as of the event's <c>created</c> (forced, like a tie: it is Stripe's current truth); without it this throws
    /// <see cref="RefetchRequiredException"/>, and the intake (or the retry job) fetches it and applies the event again.
    /// </summary>
    /// <returns>True when the fetched subscription was applied: it is Stripe's current state, which already reflects this
    /// event (a payment, a failure), so the event must not adjust status or grace on top of it.</returns>
    private bool RequireSubscriptionState(BillingAccount account, string subscriptionId, StripeNet.Subscription? refetched, DateTimeOffset asOf)
    {
        if (_missingAtStripe.Contains(subscriptionId))
        {
            return false; // Stripe answered 404: apply the event from its own object
        }

        if (refetched is not null && refetched.Id == subscriptionId)
        {
            ApplySubscription(account, refetched, asOf, forced: true);
            return true;
        }

        if (account.StripeSubscriptionId != subscriptionId || account.StateAsOf is null)
        {
            throw new RefetchRequiredException(subscriptionId, unknownState: true);
        }

        return false;
    }

    private async Task<string> SubscriptionEventAsync(StripeEventEnvelope evt, StripeNet.Subscription? refetched, CancellationToken ct)
    {
        var sub = refetched ?? evt.GetObject<StripeNet.Subscription>();
        var account = await ResolveAsync(sub.CustomerId, Meta(sub.Metadata, MetadataKeys.UserId), null, ct);
        ApplySubscription(account, sub, evt.Created, forced: refetched is not null);
        AccessCalculator.PublishIfChanged(db, account, catalog, clock.GetUtcNow());
        return StripeEventStatuses.Processed;
    }

    private async Task<string> CheckoutCompletedAsync(StripeEventEnvelope evt, StripeNet.Subscription? refetched, CancellationToken ct)
    {
        var session = evt.GetObject<StripeNet.Checkout.Session>();
        var now = clock.GetUtcNow();
        var userId = UserIds.IsValid(session.ClientReferenceId) ? session.ClientReferenceId
            : Meta(session.Metadata, MetadataKeys.UserId) is { } u && UserIds.IsValid(u) ? u : null;
        var email = session.CustomerDetails?.Email ?? session.CustomerEmail;
        if (session.Mode == "subscription")
        {
            var account = await ResolveAsync(session.CustomerId, userId, email, ct, preferUser: true);
            if (session.SubscriptionId is { } refersTo && session.Status == "complete"
                && (account.StripeSubscriptionId is null || account.StripeSubscriptionId == refersTo || SubscriptionStatuses.IsFinal(account.Status)))
            {
                // The subscription the buyer just paid for, not yet known (its customer.subscription.* events are late):
                // fetch it rather than leave the buyer incomplete (issue 16).
                _ = RequireSubscriptionState(account, refersTo, refetched, evt.Created);
            }

            if (session.SubscriptionId is { } subId && account.StripeSubscriptionId != subId
                && (account.StripeSubscriptionId is null || SubscriptionStatuses.IsFinal(account.Status)))
            {
                account.StripeSubscriptionId = subId;
                account.StateAsOf = null;
                account.Status = SubscriptionStatuses.Incomplete;
                account.Plan = catalog.Find(Meta(session.Metadata, MetadataKeys.Plan))?.Key ?? account.Plan;
                account.Cadence = Meta(session.Metadata, MetadataKeys.Cadence) is { } cadence && Cadences.IsKnown(cadence) ? cadence : account.Cadence;
                account.UpdatedAt = now;
            }

            AccessCalculator.PublishIfChanged(db, account, catalog, now);
            return StripeEventStatuses.Processed;
        }

        if (session.Mode != "payment" || session.PaymentStatus is not ("paid" or "no_payment_required"))
        {
            return StripeEventStatuses.Ignored; // setup mode, or an async payment still pending (async_payment_succeeded follows)
        }

        db.AddIntegrationEvent(new CheckoutCompleted(
            Guid.NewGuid(),
            now,
            session.Id,
            userId,
            session.CustomerId,
            Meta(session.Metadata, MetadataKeys.Purpose) ?? "",
            session.AmountTotal ?? 0,
            session.Currency ?? "",
            session.PaymentIntentId,
            session.Metadata ?? []));
        return StripeEventStatuses.Processed;
    }

    private async Task<string> InvoicePaidAsync(StripeEventEnvelope evt, StripeNet.Subscription? refetched, CancellationToken ct)
    {
        var invoice = evt.GetObject<StripeNet.Invoice>();
        var subscriptionId = SubscriptionIdOf(invoice);
        var now = clock.GetUtcNow();
        var account = await ResolveAsync(invoice.CustomerId, Meta(invoice.Parent?.SubscriptionDetails?.Metadata, MetadataKeys.UserId), invoice.CustomerEmail, ct);
        var fetched = subscriptionId is { } refersTo && KnowsOrMayAdopt(account, refersTo)
            && RequireSubscriptionState(account, refersTo, refetched, evt.Created);
        var record = await RecordPaidAsync(invoice, account, now, ct);

        var before = (account.GracePeriodEnd, account.Status, account.TrialUsed);
        if (!fetched && subscriptionId is { } subId && (account.StripeSubscriptionId is null || account.StripeSubscriptionId == subId)
            && (account.StateAsOf is null || evt.Created >= account.StateAsOf))
        {
            // A payment ends grace; an older invoice's payment delivered after a newer failure does not (issue 16).
            account.GracePeriodEnd = null;
            if (account.Status is SubscriptionStatuses.PastDue or SubscriptionStatuses.Unpaid)
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
                    Guid.NewGuid(),
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

    private async Task<string> InvoicePaymentFailedAsync(StripeEventEnvelope evt, StripeNet.Subscription? refetched, CancellationToken ct)
    {
        var invoice = evt.GetObject<StripeNet.Invoice>();
        var subscriptionId = SubscriptionIdOf(invoice);
        var now = clock.GetUtcNow();
        var account = await ResolveAsync(invoice.CustomerId, Meta(invoice.Parent?.SubscriptionDetails?.Metadata, MetadataKeys.UserId), invoice.CustomerEmail, ct);
        var stored = await FindInvoiceAsync(invoice.Id, ct);
        if (stored is null && !_missingAtStripe.Contains(invoice.Id) && _fetchedInvoice?.Id != invoice.Id)
        {
            // Never stored (issue 16): the failure may be history already (the invoice paid since, its invoice.paid late), so
            // the invoice is fetched with, when its state is missing too, the subscription.
            var needsSubscription = subscriptionId is { } sub && KnowsOrMayAdopt(account, sub) && !_missingAtStripe.Contains(sub)
                && (refetched is null || refetched.Id != sub) && (account.StripeSubscriptionId != sub || account.StateAsOf is null);
            throw RefetchRequiredException.ForInvoice(invoice.Id, needsSubscription ? subscriptionId : null);
        }

        var fetched = subscriptionId is { } refersTo && KnowsOrMayAdopt(account, refersTo)
            && RequireSubscriptionState(account, refersTo, refetched, evt.Created);
        if (stored is null && _fetchedInvoice is { Id: var fetchedId } current && fetchedId == invoice.Id && current.Status == "paid")
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
            Guid.NewGuid(),
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
    private async Task<string> InvoicePaymentPaidAsync(StripeEventEnvelope evt, CancellationToken ct)
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
    private async Task<string> InvoiceVoidedAsync(StripeEventEnvelope evt, CancellationToken ct)
    {
        var invoice = evt.GetObject<StripeNet.Invoice>();
        var now = clock.GetUtcNow();
        var stored = await FindInvoiceAsync(invoice.Id, ct);
        if (stored is not null && stored.PaidAt is null && stored.Status != "paid")
        {
            stored.Status = "void";
            stored.UpdatedAt = now;
        }

        var customer = invoice.CustomerId;
        var userId = stored?.UserId
            ?? Meta(invoice.Metadata, MetadataKeys.UserId)
            ?? (customer is null ? null : await db.Accounts.AsNoTracking().Where(a => a.StripeCustomerId == customer).Select(a => a.UserId).FirstOrDefaultAsync(ct));
        db.AddIntegrationEvent(new InvoiceVoided(Guid.NewGuid(), now, userId, invoice.Id, SubscriptionIdOf(invoice), invoice.AmountDue, invoice.Currency, invoice.Metadata ?? []));
        return StripeEventStatuses.Processed;
    }

    private async Task<string> ChargeRefundedAsync(StripeEventEnvelope evt, CancellationToken ct)
    {
        var charge = evt.GetObject<StripeNet.Charge>();
        var now = clock.GetUtcNow();
        var stored = await db.Charges.FindAsync([charge.Id], ct);
        var before = stored?.AmountRefunded ?? 0;
        var refundedNow = Math.Max(0, charge.AmountRefunded - before);
        if (stored is null)
        {
            db.Charges.Add(new ChargeRecord { ChargeId = charge.Id, AmountRefunded = charge.AmountRefunded, UpdatedAt = now });
        }
        else if (charge.AmountRefunded > stored.AmountRefunded)
        {
            stored.AmountRefunded = charge.AmountRefunded;
            stored.UpdatedAt = now;
        }

        if (refundedNow == 0)
        {
            return StripeEventStatuses.Processed; // an older or repeated report of a refund already published
        }

        var pi = charge.PaymentIntentId;
        var invoice = await InvoiceOfChargeAsync(charge, ct);
        if (invoice is null && pi is not null && !_missingAtStripe.Contains(pi))
        {
            // A refund delivered before its invoice's events (issue 16): the invoice is looked up at Stripe and recorded
            // (paid, with its InvoicePaid), so the refund names it and reverses what in-order delivery would.
            if (_fetchedInvoice is null)
            {
                throw RefetchRequiredException.ForPayment(pi);
            }

            invoice = await RecordFetchedInvoiceAsync(_fetchedInvoice, ct);
            invoice.ChargeId ??= charge.Id;
            invoice.PaymentIntentId ??= pi;
        }
        var customer = charge.CustomerId;
        var userId = invoice?.UserId
            ?? (customer is null ? null : await db.Accounts.AsNoTracking().Where(a => a.StripeCustomerId == customer).Select(a => a.UserId).FirstOrDefaultAsync(ct));
        db.AddIntegrationEvent(new PaymentRefunded(
            Guid.NewGuid(),
            now,
            charge.Id,
            pi,
            invoice?.InvoiceId,
            userId,
            customer,
            charge.Amount,
            charge.AmountRefunded,
            refundedNow,
            charge.Currency,
            charge.Refunded));
        return StripeEventStatuses.Processed;
    }

    private Task<string> AccountUpdatedAsync(StripeEventEnvelope evt)
    {
        var account = evt.GetObject<StripeNet.Account>();
        db.AddIntegrationEvent(new ConnectedAccountUpdated(Guid.NewGuid(), clock.GetUtcNow(), account.Id, account.ChargesEnabled, account.PayoutsEnabled, account.DetailsSubmitted));
        return Task.FromResult(StripeEventStatuses.Processed);
    }

    /// <summary>
    /// Finds the user of a Stripe object: by customer id, else by the user id the object carries (<c>client_reference_id</c> or
    /// <c>metadata.user_id</c>, which links the customer); throws <see cref="UnknownCustomerException"/> (retried) otherwise.
    /// </summary>
    private async Task<BillingAccount> ResolveAsync(string? customerId, string? userIdHint, string? email, CancellationToken ct, bool preferUser = false)
    {
        var now = clock.GetUtcNow();
        var hint = UserIds.IsValid(userIdHint) ? userIdHint : null;
        BillingAccount? account = null;
        if (preferUser && hint is not null)
        {
            account = await db.Accounts.FindAsync([hint], ct);
        }

        if (account is null && customerId is not null && !_byCustomer.TryGetValue(customerId, out account))
        {
            account = await db.Accounts.FirstOrDefaultAsync(a => a.StripeCustomerId == customerId, ct);
            if (_inBatch && account is not null)
            {
                _byCustomer[customerId] = account;
            }
        }

        if (account is null && hint is not null)
        {
            account = await db.Accounts.FindAsync([hint], ct);
        }

        if (account is null)
        {
            if (hint is null)
            {
                throw new UnknownCustomerException(customerId);
            }

            account = new BillingAccount { UserId = hint, CreatedAt = now, UpdatedAt = now };
            db.Accounts.Add(account);
        }

        if (email is not null && account.Email is null)
        {
            account.Email = email;
        }

        if (customerId is not null && account.StripeCustomerId != customerId && (preferUser || account.StripeCustomerId is null))
        {
            if (await db.Accounts.AnyAsync(a => a.StripeCustomerId == customerId && a.UserId != account.UserId, ct))
            {
                throw new InvalidOperationException($"Stripe customer {customerId} is already linked to another user; user {account.UserId} is not relinked.");
            }

            LinkCustomer(account, customerId, now);
        }

        return account;
    }

    private void LinkCustomer(BillingAccount account, string customerId, DateTimeOffset now)
    {
        if (_inBatch)
        {
            if (account.StripeCustomerId is { } previous && _byCustomer.TryGetValue(previous, out var cached) && ReferenceEquals(cached, account))
            {
                _byCustomer.Remove(previous);
            }

            _byCustomer[customerId] = account;
        }

        account.StripeCustomerId = customerId;
        account.UpdatedAt = now;
        db.AddIntegrationEvent(new StripeCustomerLinked(Guid.NewGuid(), now, account.UserId, customerId, account.Email));
    }

    private async Task<InvoiceRecord> UpsertInvoiceAsync(StripeNet.Invoice invoice, string userId, DateTimeOffset now, CancellationToken ct)
    {
        var record = _inBatch && _invoices.TryGetValue(invoice.Id, out var known) ? known : await db.Invoices.FindAsync([invoice.Id], ct);
        if (record is null)
        {
            record = new InvoiceRecord { InvoiceId = invoice.Id, UserId = userId };
            db.Invoices.Add(record);
            if (_inBatch)
            {
                _invoices[invoice.Id] = record;
            }
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

    /// <summary>The stored invoice <paramref name="invoiceId"/> (tracked; a batch's own, saved or not), or null.</summary>
    private async Task<InvoiceRecord?> FindInvoiceAsync(string invoiceId, CancellationToken ct) =>
        _inBatch && _invoices.TryGetValue(invoiceId, out var known) ? known : await db.Invoices.FindAsync([invoiceId], ct);

    /// <summary>
    /// The ordering rule for invoices (issue 16; docs/adr/0040): an event that refers to invoice <paramref name="invoiceId"/>
    /// never stored here (an <c>invoice_payment.paid</c> before its <c>invoice.paid</c>) records the invoice as Stripe returns
    /// it now (<see cref="RecordFetchedInvoiceAsync"/>); without the fetched invoice this throws
    /// <see cref="RefetchRequiredException"/>. Null when Stripe answered 404 (a sample or foreign event).
    /// </summary>
    private async Task<InvoiceRecord?> RequireInvoiceAsync(string invoiceId, CancellationToken ct)
    {
        if (await FindInvoiceAsync(invoiceId, ct) is { } stored)
        {
            return stored;
        }

        if (_missingAtStripe.Contains(invoiceId))
        {
            return null;
        }

        return _fetchedInvoice is { } fetched && fetched.Id == invoiceId
            ? await RecordFetchedInvoiceAsync(fetched, ct)
            : throw RefetchRequiredException.ForInvoice(invoiceId);
    }

    /// <summary>
    /// Records an invoice fetched from Stripe as its own events would have: a <c>paid</c> one with its <see cref="InvoicePaid"/>
    /// (once, guarded by <see cref="InvoiceRecord.PaidAt"/>), any other as it stands. The subscription's state is left to
    /// the subscription's and invoice's own events (and their re-fetch), which still come.
    /// </summary>
    private async Task<InvoiceRecord> RecordFetchedInvoiceAsync(StripeNet.Invoice invoice, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var account = await ResolveAsync(invoice.CustomerId, Meta(invoice.Parent?.SubscriptionDetails?.Metadata, MetadataKeys.UserId), invoice.CustomerEmail, ct);
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
                Guid.NewGuid(),
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

    /// <summary>The stored invoice a charge paid (by charge id, else PaymentIntent), tracked, or null.</summary>
    private Task<InvoiceRecord?> InvoiceOfChargeAsync(StripeNet.Charge charge, CancellationToken ct)
    {
        var pi = charge.PaymentIntentId;
        return db.Invoices.FirstOrDefaultAsync(i => i.ChargeId == charge.Id || (pi != null && i.PaymentIntentId == pi), ct);
    }

    /// <summary>Read-only: whether a <c>charge.refunded</c> refunds something new of a PaymentIntent that matches no stored invoice.</summary>
    private async Task<bool> RefundNeedsInvoiceAsync(StripeNet.Charge charge, CancellationToken ct)
    {
        if (charge.PaymentIntentId is null)
        {
            return false;
        }

        var refunded = await db.Charges.AsNoTracking().Where(c => c.ChargeId == charge.Id).Select(c => (long?)c.AmountRefunded).FirstOrDefaultAsync(ct) ?? 0;
        return charge.AmountRefunded > refunded && await InvoiceOfChargeAsync(charge, ct) is null;
    }

    /// <summary>The <c>object</c> a handled event type carries (<c>customer.subscription.updated</c> → <c>subscription</c>), or null.</summary>
    private static string? ObjectTypeOf(string type) => type switch
    {
        "checkout.session.completed" or "checkout.session.async_payment_succeeded" => "checkout.session",
        "customer.subscription.created" or "customer.subscription.updated" or "customer.subscription.deleted"
            or "customer.subscription.trial_will_end" or "customer.subscription.paused" or "customer.subscription.resumed" => "subscription",
        "invoice.paid" or "invoice.payment_succeeded" or "invoice.payment_failed" or "invoice.voided" => "invoice",
        "invoice_payment.paid" => "invoice_payment",
        "charge.refunded" => "charge",
        "account.updated" => "account",
        _ => null,
    };

    private static T? Try<T>(Func<T> read)
        where T : class
    {
        try
        {
            return read();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether an invoice of <paramref name="subscriptionId"/> may change the account's subscription: it is the stored one,
    /// or none is stored, or the stored one has ended (a new subscription after a cancellation). An invoice of another
    /// subscription while a live one is stored (an old subscription's last invoice delivered late) is recorded but
    /// changes nothing, as before.
    /// </summary>
    private static bool KnowsOrMayAdopt(BillingAccount account, string subscriptionId) =>
        account.StripeSubscriptionId is null || account.StripeSubscriptionId == subscriptionId || SubscriptionStatuses.IsFinal(account.Status);


    private static StripeNet.SubscriptionItem? PlanItem(StripeNet.Subscription sub) =>
        sub.Items?.Data?.FirstOrDefault(i => i.Price?.Recurring?.UsageType != "metered") ?? sub.Items?.Data?.FirstOrDefault();

    private static bool SameState(BillingAccount account, StripeNet.Subscription sub)
    {
        var item = PlanItem(sub);
        return account.Status == sub.Status && account.CancelAtPeriodEnd == sub.CancelAtPeriodEnd && account.PriceId == item?.Price?.Id
            && account.CurrentPeriodEnd == StripeDates.Utc(item?.CurrentPeriodEnd) && account.TrialEnd == StripeDates.Utc(sub.TrialEnd)
            && account.CancelAt == StripeDates.Utc(sub.CancelAt);
    }

    /// <summary>The invoice's subscription (since basil: <c>parent.subscription_details.subscription</c>), or null.</summary>
    private static string? SubscriptionIdOf(StripeNet.Invoice invoice) => invoice.Parent?.SubscriptionDetails?.SubscriptionId;

    private static IEnumerable<StripeNet.InvoiceLineItem> Lines(StripeNet.Invoice invoice) => invoice.Lines?.Data ?? [];

    private static string? Meta(Dictionary<string, string>? metadata, string key) => metadata?.GetValueOrDefault(key);

    private static InvoiceLine ToLine(StripeNet.InvoiceLineItem line) => new(
        line.Id,
        line.Pricing?.PriceDetails?.PriceId,
        line.Parent?.SubscriptionItemDetails?.SubscriptionItem,
        line.Amount,
        line.Currency,
        line.Quantity ?? 1,
        StripeDates.Utc(line.Period?.Start) ?? DateTimeOffset.UnixEpoch,
        StripeDates.Utc(line.Period?.End) ?? DateTimeOffset.UnixEpoch,
        line.Metadata ?? []);
}
