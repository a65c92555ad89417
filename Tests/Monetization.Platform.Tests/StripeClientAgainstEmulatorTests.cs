using Microsoft.Extensions.DependencyInjection;
using Monetization.Stripe;
using Monetization.TestKit;

namespace Monetization.Platform.Tests;

/// <summary>
/// Our Stripe client against the built-in emulator, one call per operation the modules use (Stripe issue, Tests): the
/// emulator is the peer the client cannot tell from Stripe for these operations.
/// </summary>
public sealed class StripeClientAgainstEmulatorTests
{
    [Test]
    public async Task Every_client_operation_round_trips_through_the_emulator()
    {
        await using var factory = new MonetizationFactory();
        var stripe = factory.Services.GetRequiredService<IStripeClient>();

        // Customers: create, retrieve, update.
        var customer = await stripe.Customers.CreateAsync(new CustomerCreateRequest { Email = "grace@example.com", Metadata = new Dictionary<string, string> { ["user_id"] = "grace" } });
        Assert.That((await stripe.Customers.GetAsync(customer.Id)).Email, Is.EqualTo("grace@example.com"));
        Assert.That((await stripe.Customers.UpdateAsync(customer.Id, new CustomerUpdateRequest { Email = "grace.h@example.com" })).Email, Is.EqualTo("grace.h@example.com"));

        // Products and prices: create, list (by id, by lookup key).
        var product = await stripe.Products.CreateAsync(new ProductCreateRequest { Name = "Team", Id = "prod_client_test" });
        Assert.That((await stripe.Products.ListAsync(new ProductListRequest { Ids = [product.Id] })).Data.Select(p => p.Id), Is.EqualTo(new[] { product.Id }));
        var monthly = await stripe.Prices.CreateAsync(new PriceCreateRequest { Currency = "usd", UnitAmount = 1500, Product = product.Id, RecurringInterval = "month", LookupKey = "team_monthly" });
        var bigger = await stripe.Prices.CreateAsync(new PriceCreateRequest { Currency = "usd", UnitAmount = 3000, Product = product.Id, RecurringInterval = "month" });
        var addOn = await stripe.Prices.CreateAsync(new PriceCreateRequest { Currency = "usd", UnitAmount = 500, ProductName = "Add-on", RecurringInterval = "month" });
        Assert.That((await stripe.Prices.ListAsync(new PriceListRequest { LookupKeys = ["team_monthly"] })).Data.Single().Id, Is.EqualTo(monthly.Id));

        // Checkout in subscription mode, paid with a test card; retrieve the session.
        var session = await stripe.CheckoutSessions.CreateAsync(new CheckoutSessionCreateRequest
        {
            Mode = "subscription",
            Customer = customer.Id,
            ClientReferenceId = "grace",
            LineItems = [new CheckoutLineItem { Price = monthly.Id, Quantity = 1 }],
            SubscriptionData = new CheckoutSubscriptionData { Metadata = new Dictionary<string, string> { ["user_id"] = "grace" } },
            SuccessUrl = "https://example.com/ok",
            CancelUrl = "https://example.com/cancel",
        });
        Assert.That(session.Url, Does.Contain(session.Id));
        await factory.CompleteCheckoutAsync(session.Id);
        var completed = await stripe.CheckoutSessions.GetAsync(session.Id);
        Assert.That(completed.Status, Is.EqualTo("complete"));
        var subscriptionId = completed.Subscription!.Id;

        // Subscriptions: retrieve, list by customer, update (cancel at period end, plan change with proration, deferral), cancel.
        var subscription = await stripe.Subscriptions.GetAsync(subscriptionId, expand: ["latest_invoice"]);
        Assert.That(subscription.Status, Is.EqualTo("active"));
        Assert.That(subscription.LatestInvoice!.Value!.Status, Is.EqualTo("paid"));
        Assert.That((await stripe.Subscriptions.ListAsync(new SubscriptionListRequest { Customer = customer.Id })).Data.Select(s => s.Id), Does.Contain(subscriptionId));
        Assert.That((await stripe.Subscriptions.UpdateAsync(subscriptionId, new SubscriptionUpdateRequest { CancelAtPeriodEnd = true })).CancelAtPeriodEnd, Is.True);
        Assert.That((await stripe.Subscriptions.UpdateAsync(subscriptionId, new SubscriptionUpdateRequest { CancelAtPeriodEnd = false })).CancelAtPeriodEnd, Is.False);
        var changed = await stripe.Subscriptions.UpdateAsync(subscriptionId, new SubscriptionUpdateRequest
        {
            Items = [new SubscriptionItemChange { Id = subscription.Items.Data[0].Id, Price = bigger.Id }],
            ProrationBehavior = "always_invoice",
        });
        Assert.That(changed.Items.Data.Single().Price!.Id, Is.EqualTo(bigger.Id));
        var deferTo = factory.Now.AddDays(60);
        var deferred = await stripe.Subscriptions.UpdateAsync(subscriptionId, new SubscriptionUpdateRequest { TrialEnd = deferTo, ProrationBehavior = "none" });
        Assert.That(deferred.Status, Is.EqualTo("trialing"));
        Assert.That(deferred.TrialEnd!.Value.ToUnixTimeSeconds(), Is.EqualTo(deferTo.ToUnixTimeSeconds()));

        // Subscription items: add-on create, delete.
        var item = await stripe.SubscriptionItems.CreateAsync(new SubscriptionItemCreateRequest { Subscription = subscriptionId, Price = addOn.Id, ProrationBehavior = "none" });
        Assert.That((await stripe.Subscriptions.GetAsync(subscriptionId)).Items.Data.Select(i => i.Id), Does.Contain(item.Id));
        Assert.That((await stripe.SubscriptionItems.DeleteAsync(item.Id)).Deleted, Is.True);

        // Invoices and invoice items: create, finalize, pay with the subscription's card, retrieve.
        var invoice = await stripe.Invoices.CreateAsync(new InvoiceCreateRequest { Customer = customer.Id, Subscription = subscriptionId, CollectionMethod = "charge_automatically", PendingInvoiceItemsBehavior = "exclude", Currency = "usd" });
        await stripe.InvoiceItems.CreateAsync(new InvoiceItemCreateRequest { Customer = customer.Id, Invoice = invoice.Id, Amount = 1234, Currency = "usd", Description = "usage" });
        var finalized = await stripe.Invoices.FinalizeAsync(invoice.Id);
        Assert.That(finalized.Status, Is.EqualTo("open"));
        var paid = await stripe.Invoices.PayAsync(invoice.Id);
        Assert.That(paid.Status, Is.EqualTo("paid"));
        Assert.That((await stripe.Invoices.GetAsync(invoice.Id)).AmountPaid, Is.EqualTo(1234));

        // Refunds by payment intent.
        var paymentIntent = (await stripe.Invoices.GetAsync(invoice.Id)).Payments?.Data.Select(p => p.Payment?.PaymentIntent?.Id).FirstOrDefault(p => p is not null);
        Assert.That(paymentIntent, Is.Not.Null);
        var refund = await stripe.Refunds.CreateAsync(new RefundCreateRequest { PaymentIntent = paymentIntent, Amount = 234 });
        Assert.That((refund.Amount, refund.Status), Is.EqualTo((234L, "succeeded")));

        // Billing portal.
        var portal = await stripe.BillingPortalSessions.CreateAsync(new BillingPortalSessionCreateRequest { Customer = customer.Id, ReturnUrl = "https://example.com/account" });
        Assert.That(portal.Url, Does.StartWith("http"));

        // Connect: express account, onboarding link, transfer, reversal refused without balance.
        var account = await stripe.Accounts.CreateAsync(new AccountCreateRequest { Email = "dev@example.com", Country = "US" });
        Assert.That((await stripe.Accounts.GetAsync(account.Id)).Id, Is.EqualTo(account.Id));
        var link = await stripe.AccountLinks.CreateAsync(new AccountLinkCreateRequest { Account = account.Id, RefreshUrl = "https://example.com/r", ReturnUrl = "https://example.com/done" });
        Assert.That(link.Url, Does.StartWith("http"));
        await factory.EmulatorAsync($"accounts/{account.Id}/complete_onboarding");
        Assert.That((await stripe.Accounts.GetAsync(account.Id)).PayoutsEnabled, Is.True);
        var transfer = await stripe.Transfers.CreateAsync(new TransferCreateRequest { Amount = 700, Currency = "usd", Destination = account.Id, TransferGroup = "payout:dev:2026-11" }, new StripeRequestOptions { IdempotencyKey = "payout:dev:2026-11:usd" });
        var again = await stripe.Transfers.CreateAsync(new TransferCreateRequest { Amount = 700, Currency = "usd", Destination = account.Id, TransferGroup = "payout:dev:2026-11" }, new StripeRequestOptions { IdempotencyKey = "payout:dev:2026-11:usd" });
        Assert.That(again.Id, Is.EqualTo(transfer.Id), "the natural idempotency key replays the first transfer");
        var reversal = await stripe.Transfers.CreateReversalAsync(transfer.Id, new TransferReversalCreateRequest { Amount = 200 });
        Assert.That(reversal.Amount, Is.EqualTo(200));
        await factory.EmulatorAsync($"accounts/{account.Id}/balance", new { amount = 0, currency = "usd" });
        var refused = Assert.ThrowsAsync<StripeInvalidRequestException>(() => stripe.Transfers.CreateReversalAsync(transfer.Id, new TransferReversalCreateRequest { Amount = 100 }));
        Assert.That(refused!.HttpStatus, Is.EqualTo(400));

        // Events: list by type, retrieve one.
        await factory.FlushStripeWebhooksAsync();
        var events = await stripe.Events.ListAsync(new EventListRequest { Type = "charge.refunded" });
        var refundedEvent = events.Data.First();
        Assert.That((await stripe.Events.GetAsync(refundedEvent.Id)).Type, Is.EqualTo("charge.refunded"));

        // Errors: an unknown id is Stripe's resource_missing, typed.
        var missing = Assert.ThrowsAsync<StripeInvalidRequestException>(() => stripe.Customers.GetAsync("cus_doesnotexist"));
        Assert.That((missing!.HttpStatus, missing.Code), Is.EqualTo((404, "resource_missing")));
    }
}
