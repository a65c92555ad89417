using System.Globalization;
using System.Text;

namespace Monetization.Bench.Payloads;

/// <summary>
/// Stripe event envelopes shaped like the real ones (shared/stripe/samples/events: same objects, fields and nesting, API
/// version 2026-07-29.dahlia), with unique ids. Built as text so a body costs the client nothing during a timed phase.
/// </summary>
internal static class StripeEvents
{
    public const string ApiVersion = "2026-07-29.dahlia";

    private static string U(long unixSeconds) => unixSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>Customer number n's ids: customer, subscription, subscription item, user.</summary>
    public static (string Customer, string Subscription, string Item, string User) Customer(int n) =>
        ($"cus_bench{n:D8}", $"sub_bench{n:D8}", $"si_bench{n:D8}", $"user_bench_{n:D6}");

    /// <summary><c>customer.subscription.updated</c>: an active monthly subscription of the customer (plan change Pro).</summary>
    public static byte[] SubscriptionUpdated(string eventId, int customer, DateTimeOffset now, long version)
    {
        var (cus, sub, si, user) = Customer(customer);
        var created = now.AddDays(-40).ToUnixTimeSeconds();
        var periodStart = now.AddDays(-10).ToUnixTimeSeconds();
        var periodEnd = now.AddDays(20).ToUnixTimeSeconds();
        var price = version % 2 == 0 ? ("price_bench_pro_monthly", 4900L) : ("price_bench_premium_monthly", 2000L);
        return Encoding.UTF8.GetBytes($$$$$"""
{"id":"{{{{{eventId}}}}}","object":"event","api_version":"{{{{{ApiVersion}}}}}","created":{{{{{U(now.ToUnixTimeSeconds())}}}}},"data":{"object":{"id":"{{{{{sub}}}}}","object":"subscription","application":null,"application_fee_percent":null,"automatic_tax":{"enabled":false,"liability":{"type":"account"},"disabled_reason":null},"billing_cycle_anchor":{{{{{U(periodStart)}}}}},"billing_cycle_anchor_config":null,"cancel_at":null,"cancel_at_period_end":false,"canceled_at":null,"cancellation_details":{"comment":null,"feedback":null,"reason":null},"collection_method":"charge_automatically","created":{{{{{U(created)}}}}},"currency":"usd","customer":"{{{{{cus}}}}}","days_until_due":null,"default_payment_method":"pm_bench_card4242","default_source":null,"default_tax_rates":[],"description":null,"discounts":[],"ended_at":null,"invoice_settings":{"account_tax_ids":null,"issuer":{"type":"self"}},"items":{"object":"list","data":[{"id":"{{{{{si}}}}}","object":"subscription_item","created":{{{{{U(created)}}}}},"current_period_end":{{{{{U(periodEnd)}}}}},"current_period_start":{{{{{U(periodStart)}}}}},"discounts":[],"metadata":{},"price":{"id":"{{{{{price.Item1}}}}}","object":"price","active":true,"billing_scheme":"per_unit","created":1721948530,"currency":"usd","custom_unit_amount":null,"livemode":false,"lookup_key":null,"metadata":{},"nickname":null,"product":"prod_bench_plans","recurring":{"interval":"month","interval_count":1,"meter":null,"usage_type":"licensed","trial_period_days":null},"tax_behavior":"unspecified","tiers_mode":null,"transform_quantity":null,"type":"recurring","unit_amount":{{{{{U(price.Item2)}}}}},"unit_amount_decimal":"{{{{{U(price.Item2)}}}}}"},"quantity":1,"subscription":"{{{{{sub}}}}}","tax_rates":[]}],"has_more":false,"url":"/v1/subscription_items?subscription={{{{{sub}}}}}"},"latest_invoice":"in_bench{{{{{customer:D8}}}}}","livemode":false,"metadata":{"user_id":"{{{{{user}}}}}","plan":"pro"},"next_pending_invoice_item_invoice":null,"on_behalf_of":null,"pause_collection":null,"payment_settings":{"payment_method_options":null,"payment_method_types":null,"save_default_payment_method":"off"},"pending_invoice_item_interval":null,"pending_setup_intent":null,"pending_update":null,"schedule":null,"start_date":{{{{{U(created)}}}}},"status":"active","test_clock":null,"transfer_data":null,"trial_end":null,"trial_settings":{"end_behavior":{"missing_payment_method":"create_invoice"}},"trial_start":null},"previous_attributes":{"items":{"data":[{"id":"{{{{{si}}}}}","object":"subscription_item","price":{"id":"price_bench_premium_monthly","unit_amount":2000}}]}}},"livemode":false,"pending_webhooks":1,"request":{"id":"req_bench{{{{{version:D10}}}}}","idempotency_key":null},"type":"customer.subscription.updated"}
""");
    }

    /// <summary><c>invoice.paid</c>: a renewal invoice of the customer's subscription, one line, paid by card.</summary>
    public static byte[] InvoicePaid(string eventId, string invoiceId, int customer, DateTimeOffset now)
    {
        var (cus, sub, si, user) = Customer(customer);
        var periodStart = now.AddDays(-1).ToUnixTimeSeconds();
        var periodEnd = now.AddDays(29).ToUnixTimeSeconds();
        var t = now.ToUnixTimeSeconds();
        return Encoding.UTF8.GetBytes($$$$$"""
{"id":"{{{{{eventId}}}}}","object":"event","api_version":"{{{{{ApiVersion}}}}}","created":{{{{{U(t)}}}}},"data":{"object":{"id":"{{{{{invoiceId}}}}}","object":"invoice","account_country":"US","account_name":null,"amount_due":4900,"amount_paid":4900,"amount_remaining":0,"amount_shipping":0,"attempt_count":1,"attempted":true,"auto_advance":true,"automatic_tax":{"enabled":false,"liability":{"type":"account"},"status":null},"billing_reason":"subscription_cycle","collection_method":"charge_automatically","created":{{{{{U(t - 3600)}}}}},"currency":"usd","customer":"{{{{{cus}}}}}","customer_email":"{{{{{user}}}}}@example.com","customer_name":"Bench Customer {{{{{customer}}}}}","default_payment_method":null,"description":null,"discounts":[],"due_date":null,"effective_at":{{{{{U(t - 2)}}}}},"ending_balance":0,"hosted_invoice_url":"https://invoice.stripe.com/i/acct_test/{{{{{invoiceId}}}}}","invoice_pdf":"https://pay.stripe.com/invoice/acct_test/{{{{{invoiceId}}}}}/pdf","issuer":{"type":"self"},"lines":{"object":"list","data":[{"id":"il_{{{{{invoiceId[3..]}}}}}_1","object":"line_item","amount":4900,"currency":"usd","description":"1 × Pro (at $49.00 / month)","discount_amounts":[],"discountable":true,"discounts":[],"invoice":"{{{{{invoiceId}}}}}","livemode":false,"metadata":{},"parent":{"invoice_item_details":null,"subscription_item_details":{"invoice_item":null,"proration":false,"proration_details":{"credited_items":null},"subscription":"{{{{{sub}}}}}","subscription_item":"{{{{{si}}}}}"},"type":"subscription_item_details"},"period":{"end":{{{{{U(periodEnd)}}}}},"start":{{{{{U(periodStart)}}}}}},"pricing":{"price_details":{"price":"price_bench_pro_monthly","product":"prod_bench_plans"},"type":"price_details","unit_amount_decimal":"4900"},"quantity":1,"subtotal":4900}],"has_more":false,"url":"/v1/invoices/{{{{{invoiceId}}}}}/lines"},"livemode":false,"metadata":{},"next_payment_attempt":null,"number":"BENCH-{{{{{customer:D6}}}}}","parent":{"quote_details":null,"subscription_details":{"metadata":{"user_id":"{{{{{user}}}}}","plan":"pro"},"subscription":"{{{{{sub}}}}}"},"type":"subscription_details"},"payments":{"object":"list","data":[{"id":"inpay_{{{{{invoiceId[3..]}}}}}","object":"invoice_payment","amount_paid":4900,"currency":"usd","is_default":true,"payment":{"charge":"ch_{{{{{invoiceId[3..]}}}}}","payment_intent":"pi_{{{{{invoiceId[3..]}}}}}","type":"payment_intent"},"status":"paid"}],"has_more":false},"period_end":{{{{{U(t)}}}}},"period_start":{{{{{U(periodStart)}}}}},"status":"paid","status_transitions":{"finalized_at":{{{{{U(t - 3500)}}}}},"marked_uncollectible_at":null,"paid_at":{{{{{U(t - 2)}}}}},"voided_at":null},"subtotal":4900,"total":4900,"total_discount_amounts":[],"total_taxes":[],"webhooks_delivered_at":{{{{{U(t - 3500)}}}}}}},"livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"invoice.paid"}
""");
    }

    /// <summary>
    /// <c>checkout.session.completed</c> in payment mode for a one-time marketplace plugin purchase, with the metadata the
    /// Marketplace module puts on its Checkout Sessions (<c>purpose=marketplace.plugin</c>, <c>plugin_id</c>, <c>install_id</c>, <c>user_id</c>).
    /// </summary>
    public static byte[] PluginCheckoutCompleted(string eventId, string sessionId, string pluginId, string? installId, string userId, long amount, DateTimeOffset now)
    {
        var t = now.ToUnixTimeSeconds();
        var install = installId is null ? "" : $",\"install_id\":\"{installId}\"";
        var metadata = $$$$$"""{"purpose":"marketplace.plugin","plugin_id":"{{{{{pluginId}}}}}"{{{{{install}}}}},"user_id":"{{{{{userId}}}}}"}""";
        return Encoding.UTF8.GetBytes($$$$$"""
{"id":"{{{{{eventId}}}}}","object":"event","api_version":"{{{{{ApiVersion}}}}}","created":{{{{{U(t)}}}}},"data":{"object":{"id":"{{{{{sessionId}}}}}","object":"checkout.session","after_expiration":null,"allow_promotion_codes":null,"amount_subtotal":{{{{{U(amount)}}}}},"amount_total":{{{{{U(amount)}}}}},"automatic_tax":{"enabled":false,"liability":null,"status":null},"billing_address_collection":null,"cancel_url":"http://127.0.0.1/marketplace/cancel","client_reference_id":"{{{{{userId}}}}}","client_secret":null,"consent":null,"consent_collection":null,"created":{{{{{U(t - 60)}}}}},"currency":"usd","custom_fields":[],"custom_text":{"after_submit":null,"shipping_address":null,"submit":null,"terms_of_service_acceptance":null},"customer":null,"customer_creation":"if_required","customer_details":{"address":null,"email":"{{{{{userId}}}}}@example.com","name":"Bench Buyer","phone":null,"tax_exempt":"none","tax_ids":[]},"customer_email":null,"expires_at":{{{{{U(t + 86340)}}}}},"invoice":null,"livemode":false,"locale":null,"metadata":{{{{{metadata}}}}},"mode":"payment","payment_intent":"pi_{{{{{sessionId[8..]}}}}}","payment_link":null,"payment_method_collection":"if_required","payment_method_types":["card"],"payment_status":"paid","phone_number_collection":{"enabled":false},"recovered_from":null,"setup_intent":null,"shipping_address_collection":null,"shipping_cost":null,"shipping_options":[],"status":"complete","submit_type":null,"subscription":null,"success_url":"http://127.0.0.1/marketplace/success","total_details":{"amount_discount":0,"amount_shipping":0,"amount_tax":0},"ui_mode":"hosted","url":null}},"livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"checkout.session.completed"}
""");
    }
}
