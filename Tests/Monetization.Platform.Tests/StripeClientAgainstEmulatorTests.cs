using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Monetization.TestKit;
using StripeNet = Stripe;

namespace Monetization.Platform.Tests;

/// <summary>
/// Stripe.net, as the Host builds it, against the built-in emulator: one call per operation the modules use (issue 15),
/// with the options types, idempotency keys and error shapes the modules rely on. The emulator is the peer Stripe.net
/// cannot tell from Stripe for these operations.
/// </summary>
public sealed class StripeClientAgainstEmulatorTests
{
    [Test]
    public async Task Every_operation_the_modules_use_round_trips_through_the_emulator()
    {
        await using var factory = new MonetizationFactory();
        var stripe = factory.Services.GetRequiredService<StripeNet.StripeClient>().V1;

        // Customers: create, retrieve, update.
        var customer = await stripe.Customers.CreateAsync(new StripeNet.CustomerCreateOptions { Email = "grace@example.com", Metadata = new Dictionary<string, string> { ["user_id"] = "grace" } });
        Assert.That((await stripe.Customers.GetAsync(customer.Id)).Email, Is.EqualTo("grace@example.com"));
        Assert.That((await stripe.Customers.UpdateAsync(customer.Id, new StripeNet.CustomerUpdateOptions { Email = "grace.h@example.com" })).Email, Is.EqualTo("grace.h@example.com"));

        // Products and prices: create, list (by id, by lookup key), usage price per 1,000 units.
        var product = await stripe.Products.CreateAsync(new StripeNet.ProductCreateOptions { Name = "Team", Id = "prod_client_test" });
        Assert.That((await stripe.Products.ListAsync(new StripeNet.ProductListOptions { Ids = [product.Id] })).Data.Select(p => p.Id), Is.EqualTo(new[] { product.Id }));
        var month = new StripeNet.PriceRecurringOptions { Interval = "month", IntervalCount = 1 };
        var monthly = await stripe.Prices.CreateAsync(new StripeNet.PriceCreateOptions { Currency = "usd", UnitAmount = 1500, Product = product.Id, Recurring = month, LookupKey = "team_monthly" });
        var bigger = await stripe.Prices.CreateAsync(new StripeNet.PriceCreateOptions { Currency = "usd", UnitAmount = 3000, Product = product.Id, Recurring = month });
        var addOn = await stripe.Prices.CreateAsync(new StripeNet.PriceCreateOptions { Currency = "usd", UnitAmount = 500, ProductData = new StripeNet.PriceProductDataOptions { Name = "Add-on" }, Recurring = month });
        var perThousand = await stripe.Prices.CreateAsync(new StripeNet.PriceCreateOptions
        {
            Currency = "usd",
            UnitAmountDecimal = 2.5m,
            Product = product.Id,
            TransformQuantity = new StripeNet.PriceTransformQuantityOptions { DivideBy = 1000, Round = "up" },
        });
        Assert.That((perThousand.UnitAmountDecimal, perThousand.TransformQuantity?.DivideBy), Is.EqualTo(((decimal?)2.5m, 1000L)));
        Assert.That((await stripe.Prices.ListAsync(new StripeNet.PriceListOptions { LookupKeys = ["team_monthly"], Active = true })).Data.Single().Id, Is.EqualTo(monthly.Id));
        var all = new List<string>();
        await foreach (var p in stripe.Prices.ListAutoPagingAsync(new StripeNet.PriceListOptions { Limit = 1 }))
        {
            all.Add(p.Id);
        }

        Assert.That(all, Is.SupersetOf(new[] { monthly.Id, bigger.Id, addOn.Id }), "auto-paging walks every page");

        // Checkout in subscription mode, paid with a test card; retrieve the session.
        var session = await stripe.Checkout.Sessions.CreateAsync(new StripeNet.Checkout.SessionCreateOptions
        {
            Mode = "subscription",
            Customer = customer.Id,
            ClientReferenceId = "grace",
            LineItems = [new StripeNet.Checkout.SessionLineItemOptions { Price = monthly.Id, Quantity = 1 }],
            SubscriptionData = new StripeNet.Checkout.SessionSubscriptionDataOptions { Metadata = new Dictionary<string, string> { ["user_id"] = "grace" } },
            SuccessUrl = "https://example.com/ok",
            CancelUrl = "https://example.com/cancel",
        });
        Assert.That(session.Url, Does.Contain(session.Id));
        await factory.CompleteCheckoutAsync(session.Id);
        var completed = await stripe.Checkout.Sessions.GetAsync(session.Id);
        Assert.That(completed.Status, Is.EqualTo("complete"));
        var subscriptionId = completed.SubscriptionId!;

        // Subscriptions: retrieve (expanded), list by customer, update (cancel at period end, plan change with proration, deferral).
        var subscription = await stripe.Subscriptions.GetAsync(subscriptionId, new StripeNet.SubscriptionGetOptions { Expand = ["latest_invoice"] });
        Assert.That(subscription.Status, Is.EqualTo("active"));
        Assert.That(subscription.LatestInvoice!.Status, Is.EqualTo("paid"));
        Assert.That((await stripe.Subscriptions.ListAsync(new StripeNet.SubscriptionListOptions { Customer = customer.Id })).Data.Select(s => s.Id), Does.Contain(subscriptionId));
        Assert.That((await stripe.Subscriptions.UpdateAsync(subscriptionId, new StripeNet.SubscriptionUpdateOptions { CancelAtPeriodEnd = true })).CancelAtPeriodEnd, Is.True);
        Assert.That((await stripe.Subscriptions.UpdateAsync(subscriptionId, new StripeNet.SubscriptionUpdateOptions { CancelAtPeriodEnd = false })).CancelAtPeriodEnd, Is.False);
        var changed = await stripe.Subscriptions.UpdateAsync(subscriptionId, new StripeNet.SubscriptionUpdateOptions
        {
            Items = [new StripeNet.SubscriptionItemOptions { Id = subscription.Items.Data[0].Id, Price = bigger.Id }],
            ProrationBehavior = "always_invoice",
        });
        Assert.That(changed.Items.Data.Single().Price.Id, Is.EqualTo(bigger.Id));
        var deferTo = factory.Now.AddDays(60);
        var deferred = await stripe.Subscriptions.UpdateAsync(subscriptionId, new StripeNet.SubscriptionUpdateOptions { TrialEnd = deferTo.UtcDateTime, ProrationBehavior = "none" });
        Assert.That(deferred.Status, Is.EqualTo("trialing"));
        Assert.That(new DateTimeOffset(deferred.TrialEnd!.Value, TimeSpan.Zero).ToUnixTimeSeconds(), Is.EqualTo(deferTo.ToUnixTimeSeconds()));

        // Subscription items: add-on create, delete.
        var item = await stripe.SubscriptionItems.CreateAsync(new StripeNet.SubscriptionItemCreateOptions { Subscription = subscriptionId, Price = addOn.Id, ProrationBehavior = "none" });
        Assert.That((await stripe.Subscriptions.GetAsync(subscriptionId)).Items.Data.Select(i => i.Id), Does.Contain(item.Id));
        Assert.That((await stripe.SubscriptionItems.DeleteAsync(item.Id, new StripeNet.SubscriptionItemDeleteOptions { ProrationBehavior = "create_prorations" })).Deleted, Is.True);

        // Invoices and invoice items: create, finalize, pay with the subscription's card, retrieve.
        var invoice = await stripe.Invoices.CreateAsync(new StripeNet.InvoiceCreateOptions { Customer = customer.Id, Subscription = subscriptionId, CollectionMethod = "charge_automatically", PendingInvoiceItemsBehavior = "exclude", Currency = "usd", AutoAdvance = false });
        await stripe.InvoiceItems.CreateAsync(new StripeNet.InvoiceItemCreateOptions { Customer = customer.Id, Invoice = invoice.Id, Amount = 1234, Currency = "usd", Description = "usage" });
        var finalized = await stripe.Invoices.FinalizeInvoiceAsync(invoice.Id, new StripeNet.InvoiceFinalizeOptions { AutoAdvance = false });
        Assert.That(finalized.Status, Is.EqualTo("open"));
        var paid = await stripe.Invoices.PayAsync(invoice.Id);
        Assert.That(paid.Status, Is.EqualTo("paid"));
        Assert.That((await stripe.Invoices.GetAsync(invoice.Id)).AmountPaid, Is.EqualTo(1234));

        // Refunds by payment intent.
        var paymentIntent = (await stripe.Invoices.GetAsync(invoice.Id)).Payments?.Data.Select(p => p.Payment?.PaymentIntentId).FirstOrDefault(p => p is not null);
        Assert.That(paymentIntent, Is.Not.Null);
        var refund = await stripe.Refunds.CreateAsync(new StripeNet.RefundCreateOptions { PaymentIntent = paymentIntent, Amount = 234 });
        Assert.That((refund.Amount, refund.Status), Is.EqualTo((234L, "succeeded")));

        // Billing portal.
        var portal = await stripe.BillingPortal.Sessions.CreateAsync(new StripeNet.BillingPortal.SessionCreateOptions { Customer = customer.Id, ReturnUrl = "https://example.com/account" });
        Assert.That(portal.Url, Does.StartWith("http"));

        // Connect: express account, onboarding link, transfer (natural idempotency key), reversal, reversal refused without balance.
        var account = await stripe.Accounts.CreateAsync(new StripeNet.AccountCreateOptions
        {
            Type = "express",
            Email = "dev@example.com",
            Country = "US",
            Capabilities = new StripeNet.AccountCapabilitiesOptions { Transfers = new StripeNet.AccountCapabilitiesTransfersOptions { Requested = true } },
        });
        Assert.That((await stripe.Accounts.GetAsync(account.Id)).Id, Is.EqualTo(account.Id));
        var link = await stripe.AccountLinks.CreateAsync(new StripeNet.AccountLinkCreateOptions { Account = account.Id, RefreshUrl = "https://example.com/r", ReturnUrl = "https://example.com/done", Type = "account_onboarding" });
        Assert.That(link.Url, Does.StartWith("http"));
        await factory.EmulatorAsync($"accounts/{account.Id}/complete_onboarding");
        Assert.That((await stripe.Accounts.GetAsync(account.Id)).PayoutsEnabled, Is.True);
        var key = new StripeNet.RequestOptions { IdempotencyKey = "payout:dev:2026-11:usd" };
        var transfer = await stripe.Transfers.CreateAsync(new StripeNet.TransferCreateOptions { Amount = 700, Currency = "usd", Destination = account.Id, TransferGroup = "payout:dev:2026-11" }, key);
        var again = await stripe.Transfers.CreateAsync(new StripeNet.TransferCreateOptions { Amount = 700, Currency = "usd", Destination = account.Id, TransferGroup = "payout:dev:2026-11" }, key);
        Assert.That(again.Id, Is.EqualTo(transfer.Id), "the natural idempotency key replays the first transfer");
        var reversal = await stripe.Transfers.Reversals.CreateAsync(transfer.Id, new StripeNet.TransferReversalCreateOptions { Amount = 200 });
        Assert.That(reversal.Amount, Is.EqualTo(200));
        await factory.EmulatorAsync($"accounts/{account.Id}/balance", new { amount = 0, currency = "usd" });
        var refused = Assert.ThrowsAsync<StripeNet.StripeException>(() => stripe.Transfers.Reversals.CreateAsync(transfer.Id, new StripeNet.TransferReversalCreateOptions { Amount = 100 }));
        Assert.That((refused!.HttpStatusCode, refused.StripeError?.Type), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_request_error")));

        // Events: list by type, retrieve one.
        await factory.FlushStripeWebhooksAsync();
        var events = await stripe.Events.ListAsync(new StripeNet.EventListOptions { Type = "charge.refunded" });
        var refundedEvent = events.Data.First();
        Assert.That((await stripe.Events.GetAsync(refundedEvent.Id)).Type, Is.EqualTo("charge.refunded"));

        // Errors: an unknown id is Stripe's resource_missing, as the base StripeException with Stripe's error object.
        var missing = Assert.ThrowsAsync<StripeNet.StripeException>(() => stripe.Customers.GetAsync("cus_doesnotexist"));
        Assert.That((missing!.HttpStatusCode, missing.StripeError?.Code), Is.EqualTo((HttpStatusCode.NotFound, "resource_missing")));
    }
}
