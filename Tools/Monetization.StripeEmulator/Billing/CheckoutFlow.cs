using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;
using Monetization.StripeEmulator.State;

namespace Monetization.StripeEmulator.Billing;

/// <summary>Completes a Checkout Session with a test card, as the hosted page or <c>/_test/checkout_sessions/{id}/complete</c> does.</summary>
internal sealed class CheckoutFlow
{
    private readonly Engine _engine;

    public CheckoutFlow(Engine engine) => _engine = engine;

    public IReadOnlyList<JsonObject> LineItems(JsonObject session) =>
        _engine.Store.Internal(session.Str("id")!)["line_items"] is JsonArray items ? items.OfType<JsonObject>().ToList() : [];

    public JsonObject Complete(JsonObject session, string cardNumber, string? email)
    {
        if (session.Str("status") != "open")
        {
            throw ApiException.Invalid($"This Checkout Session is no longer active (status: {session.Str("status")}).", null, "checkout_session_not_open");
        }

        var card = TestCard.Resolve(cardNumber);
        var mode = session.Str("mode");
        var internalData = _engine.Store.Internal(session.Str("id")!);
        var items = LineItems(session);
        var recurring = items.Where(i => i["price"]?["recurring"] is not null).ToList();
        var oneTime = items.Where(i => i["price"]?["recurring"] is null).ToList();
        var trialDays = internalData.LongOrNull("trial_period_days");
        var trialEnd = internalData.LongOrNull("trial_end") ?? (trialDays is { } days ? _engine.Now + (days * 86400) : null);
        var dueNow = mode == "subscription" && trialEnd is not null ? oneTime.Sum(i => i.Long("amount_total")) : session.Long("amount_total");

        if (card.Declines(offSession: false) && mode == "subscription")
        {
            throw Decline(card, null, null);
        }

        var email2 = session.Str("customer_email") ?? email ?? "customer@example.com";
        var customer = _engine.Store.Find(session.Str("customer"), "customer");
        if (customer is null && (mode == "subscription" || session.Str("customer_creation") == "always"))
        {
            customer = NewCustomer(email2);
        }

        var paymentMethod = _engine.Payments.CreatePaymentMethod(card, customer.Str("id"), email2);
        if (mode == "payment")
        {
            var pid = internalData["payment_intent_data"] as JsonObject;
            var intent = _engine.Store.Find(internalData.Str("payment_intent"), "payment_intent");
            var result = _engine.Payments.Charge(new PaymentRequest(session.Long("amount_total"), session.Str("currency")!, customer.Str("id"), paymentMethod.Str("id")!,
                false, pid.Str("description"), pid?["metadata"]?.DeepClone() as JsonObject ?? [], pid.LongOrNull("application_fee_amount"),
                pid?["transfer_data"]?.DeepClone() as JsonObject, pid.Str("transfer_group"), intent, email2));
            internalData["payment_intent"] = result.Intent.Str("id");
            if (!result.Succeeded)
            {
                throw result.Error!;
            }

            session["payment_intent"] = result.Intent.Str("id");
            session["payment_status"] = "paid";
        }
        else
        {
            var subscriptionItems = recurring.Select(i => (_engine.Store.Find(i["price"].Str("id"), "price") ?? (JsonObject)i["price"]!.DeepClone(), i.Long("quantity"))).ToList();
            var metadata = internalData["subscription_metadata"]?.DeepClone() as JsonObject ?? [];
            var subscription = _engine.Subscriptions.Create(customer!, subscriptionItems, metadata, paymentMethod.Str("id"), trialEnd,
                trialEnd is null ? "incomplete" : "trialing");
            _engine.Events.Emit("customer.subscription.created", subscription);
            var periodEnd = _engine.Subscriptions.PeriodEnd(subscription);
            var extras = new List<JsonObject>();
            foreach (var item in oneTime)
            {
                var price = item.Obj("price");
                var ii = InvoiceShapes.InvoiceItem(Ids.New("ii"), _engine.Now, customer.Str("id")!, item.Long("amount_total"), price.Str("currency")!,
                    item.Long("quantity"), item.Str("description"), null, subscription.Str("id"), _engine.Now, _engine.Now, false, price, []);
                _engine.Store.Add(ii);
                extras.Add(ii);
            }

            var invoice = BillFirstInvoice(subscription, trialEnd is null, periodEnd, extras);
            session["subscription"] = subscription.Str("id");
            session["invoice"] = invoice.Str("id");
            session["payment_status"] = dueNow == 0 ? "no_payment_required" : "paid";
            if (invoice.Str("status") != "paid")
            {
                throw Decline(card, null, null);
            }
        }

        session["status"] = "complete";
        session["url"] = null;
        session["customer"] = customer.Str("id");
        session["customer_details"] = new JsonObject
        {
            ["address"] = Common.Address(),
            ["business_name"] = null,
            ["email"] = customer.Str("email") ?? email2,
            ["individual_name"] = null,
            ["name"] = customer.Str("name"),
            ["phone"] = null,
            ["tax_exempt"] = "none",
            ["tax_ids"] = new JsonArray(),
        };
        _engine.Events.Emit("checkout.session.completed", session);

        if (_engine.Store.Find(session.Str("subscription"), "subscription") is { } sub && sub.Str("status") == "incomplete")
        {
            var before = (JsonObject)sub.DeepClone();
            sub["status"] = "active";
            _engine.Events.EmitUpdated("customer.subscription.updated", before, sub);
        }

        return session;
    }

    private JsonObject BillFirstInvoice(JsonObject subscription, bool chargeNow, long periodEnd, List<JsonObject> extras)
    {
        var now = _engine.Now;
        if (chargeNow)
        {
            return _engine.Invoicing.BillSubscription(subscription, "subscription_create", now, periodEnd, includeItems: true, offSession: false, extras);
        }

        // Trial: a $0 invoice for the trial period (plus any one-time items, charged now).
        var customer = _engine.Store.Require(subscription.Str("customer"), "customer", "customer");
        var invoice = _engine.Invoicing.Draft(customer, subscription.Str("currency")!, "subscription_create", subscription, "charge_automatically", true, null, null, [], now, now);
        foreach (var item in _engine.Subscriptions.Items(subscription))
        {
            var line = InvoiceShapes.SubscriptionLine(Ids.New("il"), invoice.Str("id")!, item, now, periodEnd,
                "Trial period for " + (_engine.Store.Find(item["price"].Str("product")).Str("name") ?? "Subscription"));
            line["amount"] = 0L;
            line["subtotal"] = 0L;
            line["description"] = $"Trial period for {_engine.Store.Find(item["price"].Str("product")).Str("name") ?? "Subscription"}";
            _engine.Invoicing.AddLine(invoice, line);
        }

        foreach (var extra in extras)
        {
            _engine.Invoicing.AttachItem(invoice, extra);
        }

        subscription["latest_invoice"] = invoice.Str("id");
        _engine.Events.Emit("invoice.created", invoice);
        _engine.Invoicing.Finalize(invoice);
        if (invoice.Str("status") == "open")
        {
            _engine.Invoicing.Pay(invoice, offSession: false, null, throwOnDecline: false);
        }

        return invoice;
    }

    private JsonObject NewCustomer(string email)
    {
        var customer = CatalogShapes.Customer(Ids.New("cus", 14), _engine.Now, email, null, null, null, []);
        _engine.Store.Add(customer);
        _engine.Events.Emit("customer.created", customer);
        return customer;
    }

    private static ApiException Decline(TestCard card, string? charge, string? intent) =>
        new(402, "card_error", card.Message.Length > 0 ? card.Message : "Your card was declined.", card.Code.Length > 0 ? card.Code : "card_declined")
        {
            DeclineCode = card.DeclineCode.Length > 0 ? card.DeclineCode : "generic_decline",
            Charge = charge,
            PaymentIntent = intent,
        };
}
