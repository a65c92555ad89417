using System.Text.Json;
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
/// What the translators of one webhook batch (or one event) share: the accounts and invoices the batch names, loaded
/// once and tracked (<see cref="PreloadAsync"/>), what was fetched from Stripe for the event being applied
/// (<see cref="BeginEvent"/>), and finding or linking the user a Stripe object belongs to. Scoped: one per batch.
/// </summary>
internal sealed class StripeEventScope(SubscriptionsDbContext db, StripeEventStore store, TimeProvider clock)
{
    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();

    /// <summary>Accounts of a batch by Stripe customer id, tracked by <c>db</c>; empty outside a batch.</summary>
    private readonly Dictionary<string, BillingAccount> _byCustomer = new(StringComparer.Ordinal);

    /// <summary>Invoices a batch names, tracked, or null for one not stored; empty outside a batch.</summary>
    private readonly Dictionary<string, InvoiceRecord?> _invoices = new(StringComparer.Ordinal);

    private bool _inBatch;

    /// <summary>Ids Stripe had nothing for (404, or a PaymentIntent of no invoice): the event applies from its own object.</summary>
    public IReadOnlySet<string> MissingAtStripe { get; private set; } = EmptySet;

    /// <summary>The invoice fetched from Stripe for the event being applied, or null.</summary>
    public StripeNet.Invoice? FetchedInvoice { get; private set; }

    /// <summary>Starts applying one event with what was fetched from Stripe for it (null: nothing).</summary>
    public void BeginEvent(RefetchResult? fetched)
    {
        MissingAtStripe = fetched?.Missing ?? EmptySet;
        FetchedInvoice = fetched?.Invoice;
    }

    /// <summary>
    /// Loads, tracked, the accounts a batch of events names (by Stripe customer id and by user id hint), their first-paid
    /// markers and the batch's invoices, in three queries instead of several per event. Valid until
    /// <see cref="ForgetPreloaded"/>; the caller holds the database's writer (one transaction for the batch), so what is
    /// tracked stays current.
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

            foreach (var invoice in await store.LoadInvoicesAsync(invoices, ct))
            {
                _invoices[invoice.InvoiceId] = invoice;
            }
        }

        if (customers.Count == 0 && users.Count == 0)
        {
            return;
        }

        foreach (var account in await store.LoadAccountsAsync(customers, users, ct))
        {
            if (account.StripeCustomerId is { } c)
            {
                _byCustomer[c] = account;
            }

            users.Add(account.UserId);
        }

        await store.LoadFirstPaidMarkersAsync(users, ct);
    }

    /// <summary>Ends a batch: forgets the preloaded accounts and invoices (the caller clears the change tracker).</summary>
    public void ForgetPreloaded()
    {
        _inBatch = false;
        _byCustomer.Clear();
        _invoices.Clear();
    }

    /// <summary>The account linked to Stripe customer <paramref name="customerId"/>: the batch's, else read (not remembered).</summary>
    public async Task<BillingAccount?> AccountOfCustomerAsync(string customerId, CancellationToken ct) =>
        _byCustomer.TryGetValue(customerId, out var account) ? account : await db.Accounts.FirstOrDefaultAsync(a => a.StripeCustomerId == customerId, ct);

    /// <summary>Remembers an invoice the batch stores for the first time, so later events of the batch find it unsaved.</summary>
    public void TrackNewInvoice(InvoiceRecord record)
    {
        if (_inBatch)
        {
            _invoices[record.InvoiceId] = record;
        }
    }

    /// <summary>
    /// Finds the user of a Stripe object: by customer id, else by the user id the object carries (<c>client_reference_id</c> or
    /// <c>metadata.user_id</c>, which links the customer); throws <see cref="UnknownCustomerException"/> (retried) otherwise.
    /// </summary>
    public async Task<BillingAccount> ResolveAsync(string? customerId, string? userIdHint, string? email, CancellationToken ct, bool preferUser = false)
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

    public void LinkCustomer(BillingAccount account, string customerId, DateTimeOffset now)
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
        db.AddIntegrationEvent(new StripeCustomerLinked(IntegrationEventIds.New(now), now, account.UserId, customerId, account.Email));
    }

    /// <summary>The stored invoice <paramref name="invoiceId"/> (tracked; a batch's own, saved or not), or null.</summary>
    public async Task<InvoiceRecord?> FindInvoiceAsync(string invoiceId, CancellationToken ct) =>
        _inBatch && _invoices.TryGetValue(invoiceId, out var known) ? known : await db.Invoices.FindAsync([invoiceId], ct);
}

/// <summary>Reading Stripe objects as the translators need them.</summary>
internal static class StripeObjects
{
    /// <summary>The <c>object</c> a handled event type carries (<c>customer.subscription.updated</c> → <c>subscription</c>), or null.</summary>
    internal static string? ObjectTypeOf(string type) => type switch
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

    /// <summary>The object read by <paramref name="read"/>, or null when it is malformed (reported when the event is applied).</summary>
    internal static T? Try<T>(Func<T> read)
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

    /// <summary>The invoice's subscription (since basil: <c>parent.subscription_details.subscription</c>), or null.</summary>
    internal static string? SubscriptionIdOf(StripeNet.Invoice invoice) => invoice.Parent?.SubscriptionDetails?.SubscriptionId;

    /// <summary>The invoice's lines (none when absent).</summary>
    internal static IEnumerable<StripeNet.InvoiceLineItem> Lines(StripeNet.Invoice invoice) => invoice.Lines?.Data ?? [];

    /// <summary>A metadata value, or null.</summary>
    internal static string? Meta(Dictionary<string, string>? metadata, string key) => metadata?.GetValueOrDefault(key);

    /// <summary>An invoice line as <see cref="InvoicePaid"/> carries it (amounts in minor units of its currency, period in UTC).</summary>
    internal static InvoiceLine ToLine(StripeNet.InvoiceLineItem line) => new(
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
