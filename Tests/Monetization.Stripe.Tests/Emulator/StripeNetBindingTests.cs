using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using StripeNet = global::Stripe;

namespace Monetization.Stripe.Tests.Emulator;

/// <summary>
/// The emulator speaks <c>2026-10-28.endive</c>, the API version Stripe.net 53.1.0 pins (issue 15): every object, list,
/// error and event it sends binds to Stripe.net's model, carries no field Stripe.net's type lacks (an emulator
/// invention), and carries every field the modules read. One scenario drives every operation and lifecycle the emulator
/// serves, so every object type and event type it emits is checked.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class StripeNetBindingTests
{
    /// <summary>The object types the emulator emits; the scenario must produce each of them.</summary>
    private static readonly string[] EmittedObjectTypes =
    [
        "customer", "product", "price", "checkout.session", "item", "billing_portal.session", "subscription", "subscription_item", "invoice",
        "invoiceitem", "line_item", "invoice_payment", "payment_intent", "charge", "refund", "payment_method", "account", "account_link", "transfer",
        "transfer_reversal", "balance", "event",
    ];

    /// <summary>The event types the emulator emits (docs/stripe-emulator.md, "Events and webhooks"); the scenario must produce each.</summary>
    private static readonly string[] EmittedEventTypes =
    [
        "customer.created", "customer.updated", "product.created", "price.created", "checkout.session.completed", "checkout.session.expired",
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted", "customer.subscription.trial_will_end",
        "invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed", "invoiceitem.created",
        "payment_intent.succeeded", "payment_intent.payment_failed", "charge.succeeded", "charge.failed", "charge.refunded", "refund.created",
        "account.updated", "transfer.created", "transfer.reversed",
    ];

    /// <summary>
    /// The fields Modules/* read from Stripe objects, per object type (dotted paths; <c>[]</c> = every element of an array).
    /// Derived from what the modules read today through BuildingBlocks/Monetization.Stripe's models: the webhook translator
    /// (Subscriptions/Features/HandleStripeEvents: the translators per Stripe object and StripeEventProcessor.cs), the checkout, portal,
    /// plan-change, cancel/resume, reconcile and credit-deferral slices, the price resolver, Marketplace's catalog, install,
    /// onboarding, payout and reversal calls, and Usage's checkout and invoicing. The modules are moving to Stripe.net's types
    /// in parallel (branch <c>stripenet</c>); what they read stays the same Stripe fields, so keep this list in step with them.
    /// A field must be present wherever its parent is (it may be null when Stripe's value is null), and reached at least once.
    /// </summary>
    private static readonly Dictionary<string, string[]> FieldsTheModulesRead = new(StringComparer.Ordinal)
    {
        ["event"] = ["id", "type", "created", "livemode", "api_version", "data.object", "data.object.id"],
        ["checkout.session"] =
        [
            "id", "mode", "url", "status", "payment_status", "client_reference_id", "customer", "customer_email", "customer_details.email",
            "subscription", "payment_intent", "amount_total", "currency", "metadata",
        ],
        ["billing_portal.session"] = ["url"],
        ["customer"] = ["id"],
        ["product"] = ["id"],
        ["price"] = ["id", "active", "currency", "unit_amount", "lookup_key", "product", "recurring.interval", "recurring.interval_count", "recurring.usage_type"],
        ["subscription"] =
        [
            "id", "status", "customer", "metadata", "created", "cancel_at_period_end", "cancel_at", "canceled_at", "ended_at", "trial_start", "trial_end",
            "items.data[].id", "items.data[].price.id", "items.data[].price.recurring.interval", "items.data[].price.recurring.interval_count",
            "items.data[].price.recurring.usage_type", "items.data[].current_period_start", "items.data[].current_period_end",
        ],
        ["subscription_item"] = ["id", "price.id", "current_period_start", "current_period_end"],
        ["invoice"] =
        [
            "id", "status", "customer", "customer_email", "currency", "amount_due", "amount_paid", "attempt_count", "next_payment_attempt", "billing_reason",
            "metadata", "parent.subscription_details.subscription", "parent.subscription_details.metadata",
            "lines.data[].id", "lines.data[].amount", "lines.data[].currency", "lines.data[].quantity", "lines.data[].period.start", "lines.data[].period.end",
            "lines.data[].metadata", "lines.data[].pricing.price_details.price", "lines.data[].parent.subscription_item_details.subscription_item",
            // The translator also reads payments.data[].payment.charge, which Stripe sets only for type=charge; the emulator
            // pays invoices through PaymentIntents (type=payment_intent), as Stripe does for cards.
            "payments.data[].status", "payments.data[].payment.type", "payments.data[].payment.payment_intent",
        ],
        ["invoice_payment"] = ["invoice", "status", "payment.type", "payment.payment_intent"],
        ["invoiceitem"] = ["id"],
        ["charge"] = ["id", "amount", "amount_refunded", "currency", "refunded", "payment_intent", "customer"],
        ["account"] = ["id", "charges_enabled", "payouts_enabled", "details_submitted"],
        ["account_link"] = ["url", "expires_at"],
        ["transfer"] = ["id"],
        ["transfer_reversal"] = ["id"],
    };

    [Test]
    public void Stripe_net_pins_the_version_the_emulator_speaks() =>
        Assert.That(StripeNet.StripeConfiguration.ApiVersion, Is.EqualTo(Monetization.StripeEmulator.StripeEmulator.ApiVersion));

    [Test]
    public async Task Every_object_list_error_and_event_the_emulator_sends_binds_to_Stripe_net()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var sent = await RunEveryOperationAsync(h);
        var events = await AllEventsAsync(h);
        var samples = new List<(string Source, JsonObject Json)>(sent);
        samples.AddRange(events.Select(e => ($"event {(string?)e["type"]} {(string?)e["id"]}", e)));

        var inventions = new List<string>();
        var bindingErrors = new List<string>();
        var objectsByType = new Dictionary<string, List<JsonObject>>(StringComparer.Ordinal);
        foreach (var (source, json) in samples)
        {
            Check(source, json, inventions, bindingErrors);
            Collect(json, objectsByType);
        }

        foreach (var evt in events)
        {
            try
            {
                _ = StripeNet.EventUtility.ParseEvent(evt.ToJsonString()); // throws on another api_version, as Stripe.net's webhook parsing does
            }
            catch (Exception e) when (e is StripeNet.StripeException or System.Text.Json.JsonException)
            {
                bindingErrors.Add($"event {(string?)evt["type"]} {(string?)evt["id"]}: EventUtility.ParseEvent: {e.Message}");
            }
        }

        var missing = MissingReadFields(objectsByType);
        Assert.Multiple(() =>
        {
            Assert.That(inventions.Distinct(), Is.Empty, () => "fields the emulator sends that Stripe.net 53.1.0 (2026-10-28.endive) does not have:\n" + Lines(inventions));
            Assert.That(bindingErrors, Is.Empty, () => "objects that do not deserialize into Stripe.net's types:\n" + Lines(bindingErrors));
            Assert.That(objectsByType.Keys, Is.SupersetOf(EmittedObjectTypes), "the scenario produces every object type the emulator emits");
            Assert.That(events.Select(e => (string?)e["type"]).Distinct(), Is.SupersetOf(EmittedEventTypes), "the scenario produces every event type the emulator emits");
            Assert.That(missing, Is.Empty, () => "fields the modules read that the emulator leaves out:\n" + Lines(missing));
        });
    }

    [Test]
    public async Task Every_object_the_emulator_sends_binds_the_same_with_the_webhook_path_s_settings_as_with_Stripe_net_s()
    {
        // The webhook path binds data.object with StripeObjectJson.Options (ADR 0023); it must give exactly what Stripe.net's own
        // System.Text.Json settings give, compared through Stripe.net's serializer (ToJson), for every object the emulator sends.
        await using var h = await EmulatorHarness.StartAsync();
        var sent = await RunEveryOperationAsync(h);
        var events = await AllEventsAsync(h);
        var objects = new Dictionary<string, List<JsonObject>>(StringComparer.Ordinal);
        foreach (var (_, json) in sent)
        {
            Collect(json, objects);
        }

        foreach (var evt in events)
        {
            Collect(evt, objects);
        }

        var compared = 0;
        var differences = new List<string>();
        foreach (var (objectType, list) in objects)
        {
            if (StripeNetModel.TypeOf(objectType) is not { } type || objectType == "event")
            {
                continue;
            }

            foreach (var json in list)
            {
                var text = json.ToJsonString();
                var expected = (StripeNet.StripeEntity)System.Text.Json.JsonSerializer.Deserialize(text, type, StripeNet.StripeConfiguration.SerializerOptions)!;
                var actual = (StripeNet.StripeEntity)System.Text.Json.JsonSerializer.Deserialize(text, type, Monetization.Stripe.Json.StripeObjectJson.Options)!;
                compared++;
                if (actual.ToJson() != expected.ToJson())
                {
                    differences.Add($"{objectType} {(string?)json["id"]}:\n  Stripe.net: {expected.ToJson()}\n  ours:       {actual.ToJson()}");
                }
            }
        }

        Assert.That(compared, Is.GreaterThan(100), "the scenario's objects were compared");
        Assert.That(differences, Is.Empty, () => Lines(differences));
    }

    [Test]
    public async Task Events_and_webhooks_are_accepted_by_Stripe_net_EventUtility()
    {
        await using var h = await EmulatorHarness.StartAsync();
        await RunEveryOperationAsync(h);
        await h.FlushAsync();
        var delivered = h.Receiver.All();
        Assert.That(delivered, Is.Not.Empty);

        var failures = new List<string>();
        foreach (var delivery in delivered)
        {
            try
            {
                // Stripe.net's own check, with its own clock set to the emulator's signing time ("t=").
                var t = long.Parse(delivery.Signature.Split(',').First(p => p.StartsWith("t=", StringComparison.Ordinal))[2..], CultureInfo.InvariantCulture);
                var evt = StripeNet.EventUtility.ConstructEvent(delivery.Body, delivery.Signature, h.Emulator.WebhookSecret, 300, t, throwOnApiVersionMismatch: true);
                var parsed = StripeNet.EventUtility.ParseEvent(delivery.Body);
                if (evt.ApiVersion != StripeNet.StripeConfiguration.ApiVersion || parsed.Id != delivery.EventId || evt.Type != delivery.Type)
                {
                    failures.Add($"{delivery.Type} {delivery.EventId}: api_version {evt.ApiVersion}, id {parsed.Id}, type {evt.Type}");
                }

                var expected = StripeNetModel.TypeOf((string?)delivery.Event["data"]!["object"]!["object"]);
                if (expected is null || evt.Data.Object?.GetType() != expected)
                {
                    failures.Add($"{delivery.Type} {delivery.EventId}: data.object bound to {evt.Data.Object?.GetType().FullName ?? "null"}, expected {expected?.FullName}");
                }
            }
            catch (Exception e) when (e is StripeNet.StripeException or System.Text.Json.JsonException)
            {
                failures.Add($"{delivery.Type} {delivery.EventId}: {e.Message}");
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public async Task Requests_with_Stripe_net_s_version_or_dahlia_are_served_and_other_versions_are_refused()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var answers = new Dictionary<string, (HttpStatusCode Status, JsonObject Json, string? Version)>();
        foreach (var version in new[] { "2026-10-28.endive", "2026-07-29.dahlia", "2024-06-20", "not-a-version" })
        {
            h.StripeVersion = version;
            var (status, json, response) = await h.SendAsync(HttpMethod.Post, "v1/customers", [("email", "v@example.com")]);
            answers[version] = (status, json, response.Headers.TryGetValues("Stripe-Version", out var v) ? v.Single() : null);
        }

        h.StripeVersion = null;
        var (defaultStatus, _, defaultResponse) = await h.SendAsync(HttpMethod.Get, "v1/customers");
        Assert.Multiple(() =>
        {
            Assert.That(answers["2026-10-28.endive"].Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(answers["2026-10-28.endive"].Version, Is.EqualTo("2026-10-28.endive"));
            Assert.That(answers["2026-07-29.dahlia"].Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(answers["2026-07-29.dahlia"].Version, Is.EqualTo("2026-07-29.dahlia"));
            foreach (var refused in new[] { "2024-06-20", "not-a-version" })
            {
                Assert.That(answers[refused].Status, Is.EqualTo(HttpStatusCode.BadRequest), refused);
                Assert.That((string?)answers[refused].Json["error"]?["type"], Is.EqualTo("invalid_request_error"), refused);
                Assert.That((string?)answers[refused].Json["error"]?["message"], Does.Contain(refused).And.Contain("2026-10-28.endive"), refused);
            }

            Assert.That(defaultStatus, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(defaultResponse.Headers.GetValues("Stripe-Version").Single(), Is.EqualTo("2026-10-28.endive"));
        });
        var customers = await h.GetAsync("v1/customers");
        Assert.That(customers["data"]!.AsArray(), Has.Count.EqualTo(2), "refused requests change nothing");
    }

    [Test]
    public async Task Request_parameters_that_changed_in_endive_follow_the_requested_version()
    {
        await using var h = await EmulatorHarness.StartAsync();
        var price = await h.CreatePriceAsync(1500);
        var (_, subscriptionId, _) = await h.SubscribeAsync((string)price["id"]!);
        async Task<(HttpStatusCode Status, JsonObject Json)> Send(string version, string path, params (string, string)[] form)
        {
            h.StripeVersion = version;
            var (status, json, _) = await h.SendAsync(HttpMethod.Post, path, form);
            return (status, json);
        }

        (string, string)[] checkout = [("mode", "subscription"), ("customer_email", "v@example.com"), ("line_items[0][price]", (string)price["id"]!),
            ("line_items[0][quantity]", "1"), ("success_url", "https://example.com/ok"), ("payment_method_types[0]", "card")];
        var endiveCheckout = await Send("2026-10-28.endive", "v1/checkout/sessions", checkout);
        var dahliaCheckout = await Send("2026-07-29.dahlia", "v1/checkout/sessions", checkout);
        var endiveObject = await Send("2026-10-28.endive", $"v1/subscriptions/{subscriptionId}", ("billing_cycle_anchor[type]", "unchanged"));
        var endiveString = await Send("2026-10-28.endive", $"v1/subscriptions/{subscriptionId}", ("billing_cycle_anchor", "unchanged"));
        var dahliaString = await Send("2026-07-29.dahlia", $"v1/subscriptions/{subscriptionId}", ("billing_cycle_anchor", "unchanged"));
        var dahliaObject = await Send("2026-07-29.dahlia", $"v1/subscriptions/{subscriptionId}", ("billing_cycle_anchor[type]", "unchanged"));
        Assert.Multiple(() =>
        {
            Assert.That(endiveCheckout.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string?)endiveCheckout.Json["error"]?["code"], Is.EqualTo("parameter_unknown"));
            Assert.That((string?)endiveCheckout.Json["error"]?["param"], Is.EqualTo("payment_method_types"));
            Assert.That(dahliaCheckout.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(endiveObject.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(endiveString.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string?)endiveString.Json["error"]?["param"], Is.EqualTo("billing_cycle_anchor"));
            Assert.That(dahliaString.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(dahliaObject.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    /// <summary>One problem a line, with the source (request or event id) of the first occurrence of each distinct problem.</summary>
    private static string Lines(IEnumerable<string> problems) =>
        string.Join("\n", problems.GroupBy(p => System.Text.RegularExpressions.Regex.Replace(p, @"^[^(]*\(", "(")).Select(g => g.First() + (g.Count() > 1 ? $"  (×{g.Count()})" : "")));

    /// <summary>Checks one thing the emulator sent: an object (by its <c>object</c>), a list, an error body, or an event.</summary>
    private static void Check(string source, JsonObject json, List<string> inventions, List<string> bindingErrors)
    {
        Type type;
        JsonNode node = json;
        if (json["error"] is JsonObject error)
        {
            type = typeof(StripeNet.StripeError);
            node = error;
        }
        else if ((string?)json["object"] == "list")
        {
            var element = json["data"]!.AsArray().Select(d => StripeNetModel.TypeOf((string?)d?["object"])).FirstOrDefault() ?? typeof(StripeNet.Customer);
            type = typeof(StripeNet.StripeList<>).MakeGenericType(element);
        }
        else if (StripeNetModel.TypeOf((string?)json["object"]) is { } known)
        {
            type = known;
        }
        else
        {
            inventions.Add($"{source}: object '{(string?)json["object"]}' has no Stripe.net type");
            return;
        }

        bindingErrors.AddRange(StripeNetModel.BindingErrors(node.ToJsonString(), type, source));
        if (type == typeof(StripeNet.Event) && json["data"]?["previous_attributes"] is JsonObject previous)
        {
            // previous_attributes holds the old values of the changed fields of data.object (Stripe.net keeps it untyped):
            // checked against data.object's type, the rest of the event as usual.
            var objectType = StripeNetModel.TypeOf((string?)json["data"]!["object"]!["object"]) ?? typeof(object);
            inventions.AddRange(StripeNetModel.UnknownKeys(previous, objectType, $"{source} previous_attributes ({objectType.Name})"));
            node = json.DeepClone();
            node["data"]!.AsObject().Remove("previous_attributes");
        }

        inventions.AddRange(StripeNetModel.UnknownKeys(node, type, $"{source} ({type.Name})"));
    }

    /// <summary>Every object with an <c>object</c> other than <c>list</c>, at any depth, by type.</summary>
    private static void Collect(JsonNode? node, Dictionary<string, List<JsonObject>> byType)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["object"] is JsonValue value && value.TryGetValue<string>(out var name) && name != "list")
                {
                    if (!byType.TryGetValue(name, out var list))
                    {
                        byType[name] = list = [];
                    }

                    list.Add(obj);
                }

                foreach (var (_, child) in obj)
                {
                    Collect(child, byType);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Collect(child, byType);
                }

                break;
        }
    }

    private static List<string> MissingReadFields(Dictionary<string, List<JsonObject>> objectsByType)
    {
        var missing = new List<string>();
        foreach (var (type, paths) in FieldsTheModulesRead)
        {
            var samples = (objectsByType.GetValueOrDefault(type) ?? []).Where(o => o["deleted"] is null).ToList(); // not {id, object, deleted: true}
            if (samples.Count == 0)
            {
                missing.Add($"{type}: no sample");
                continue;
            }

            foreach (var path in paths)
            {
                var reached = false;
                foreach (var sample in samples)
                {
                    foreach (var problem in Resolve(sample, path.Split('.'), 0, type, ref reached))
                    {
                        missing.Add(problem);
                    }
                }

                if (!reached)
                {
                    missing.Add($"{type}.{path}: never present in {samples.Count} sample(s)");
                }
            }
        }

        return missing.Distinct().ToList();
    }

    /// <summary>Follows <paramref name="segments"/>; a key missing under a present parent is a problem; a null parent ends the walk.</summary>
    private static IEnumerable<string> Resolve(JsonNode? node, string[] segments, int index, string where, ref bool reached)
    {
        if (index == segments.Length)
        {
            reached = true;
            return [];
        }

        if (node is null)
        {
            return [];
        }

        var segment = segments[index];
        var isArray = segment.EndsWith("[]", StringComparison.Ordinal);
        var key = isArray ? segment[..^2] : segment;
        if (node is not JsonObject obj || !obj.ContainsKey(key))
        {
            return [$"{where}.{string.Join('.', segments[..(index + 1)])}: missing ({(string?)node["id"] ?? node.ToJsonString()[..Math.Min(80, node.ToJsonString().Length)]})"];
        }

        var problems = new List<string>();
        if (isArray)
        {
            foreach (var element in obj[key] as JsonArray ?? [])
            {
                problems.AddRange(Resolve(element, segments, index + 1, where, ref reached));
            }
        }
        else
        {
            problems.AddRange(Resolve(obj[key], segments, index + 1, where, ref reached));
        }

        return problems;
    }

    /// <summary>Every event the emulator recorded, oldest first, through <c>GET /v1/events</c> paging (and each one by id).</summary>
    private static async Task<List<JsonObject>> AllEventsAsync(EmulatorHarness h)
    {
        var events = new List<JsonObject>();
        string? after = null;
        while (true)
        {
            var query = new List<(string, string)> { ("limit", "100") };
            if (after is not null)
            {
                query.Add(("starting_after", after));
            }

            var page = await h.GetAsync("v1/events", query.ToArray());
            var data = page["data"]!.AsArray().Select(e => e!.AsObject()).ToList();
            events.AddRange(data);
            if (!(bool)page["has_more"]! || data.Count == 0)
            {
                break;
            }

            after = (string)data[^1]["id"]!;
        }

        events.Add(await h.GetAsync($"v1/events/{(string)events[0]["id"]!}"));
        events.Reverse();
        return events;
    }

    /// <summary>
    /// Drives every operation and lifecycle the emulator serves and returns every response body (objects, lists, errors);
    /// the events they cause are read afterwards.
    /// </summary>
    private static async Task<List<(string Source, JsonObject Json)>> RunEveryOperationAsync(EmulatorHarness h)
    {
        var sent = new List<(string, JsonObject)>();
        async Task<JsonObject> Get(string path, params (string, string)[] query)
        {
            var json = await h.GetAsync(path, query);
            sent.Add(("GET " + path, json));
            return json;
        }

        async Task<JsonObject> Post(string path, params (string, string)[] form)
        {
            var json = await h.PostAsync(path, form);
            sent.Add(("POST " + path, json));
            return json;
        }

        async Task<JsonObject> Refused(HttpMethod method, string path, HttpStatusCode expected, params (string, string)[] form)
        {
            var (status, json, _) = await h.SendAsync(method, path, form);
            Assert.That(status, Is.EqualTo(expected), () => $"{method} {path}: {json.ToJsonString()}");
            sent.Add(($"{method} {path} ({(int)status})", json));
            return json;
        }

        // Customers and catalog.
        var customer = await Post("v1/customers", ("email", "ada@example.com"), ("name", "Ada"), ("metadata[user_id]", "user_ada"));
        var customerId = (string)customer["id"]!;
        await Post($"v1/customers/{customerId}", ("name", "Ada Lovelace"));
        await Get($"v1/customers/{customerId}");
        await Get("v1/customers");
        var basic = await Post("v1/prices", ("currency", "usd"), ("unit_amount", "1000"), ("product_data[name]", "Basic"), ("recurring[interval]", "month"),
            ("lookup_key", "basic_monthly"), ("metadata[plan]", "basic"));
        var productId = (string)basic["product"]!;
        var pro = await Post("v1/prices", ("currency", "usd"), ("unit_amount", "3000"), ("product", productId), ("recurring[interval]", "month"));
        await Post("v1/products", ("name", "Plugin"), ("metadata[plugin_id]", "p1"));
        var oneTime = await Post("v1/prices", ("currency", "usd"), ("unit_amount", "700"), ("product", productId));
        await Get($"v1/products/{productId}");
        await Get("v1/products");
        await Get($"v1/prices/{(string)basic["id"]!}", ("expand[]", "product"));
        await Get("v1/prices", ("lookup_keys[]", "basic_monthly"));

        // A subscription checkout for an existing customer, paid with a card that succeeds now and declines every later charge.
        var session = await Post("v1/checkout/sessions", ("mode", "subscription"), ("customer", customerId), ("client_reference_id", "user_ada"),
            ("line_items[0][price]", (string)basic["id"]!), ("line_items[0][quantity]", "1"), ("success_url", "https://example.com/ok?s={CHECKOUT_SESSION_ID}"),
            ("cancel_url", "https://example.com/cancel"), ("metadata[user_id]", "user_ada"), ("subscription_data[metadata][plan]", "basic"));
        var sessionId = (string)session["id"]!;
        var completed = await h.CompleteCheckoutAsync(sessionId, "4000000000000341");
        sent.Add(("_test complete", completed));
        var subscriptionId = (string)completed["subscription"]!;
        await Get($"v1/checkout/sessions/{sessionId}", ("expand[]", "subscription"));
        await Get($"v1/checkout/sessions/{sessionId}/line_items");
        await Get("v1/checkout/sessions");
        var subscription = await Get($"v1/subscriptions/{subscriptionId}", ("expand[]", "latest_invoice"), ("expand[]", "customer"));
        var itemId = (string)subscription["items"]!["data"]![0]!["id"]!;
        await Get($"v1/subscription_items/{itemId}");
        await Get("v1/subscription_items", ("subscription", subscriptionId));
        await Get("v1/subscriptions", ("customer", customerId));
        var invoiceId = (string)subscription["latest_invoice"]!["id"]!;
        var invoice = await Get($"v1/invoices/{invoiceId}", ("expand[]", "payments.data.payment.payment_intent"));
        await Get($"v1/invoices/{invoiceId}/lines");
        await Get("v1/invoices", ("subscription", subscriptionId));
        var intentId = (string)invoice["payments"]!["data"]![0]!["payment"]!["payment_intent"]!["id"]!;
        var intent = await Get($"v1/payment_intents/{intentId}");
        await Get("v1/payment_intents");
        var charge = await Get($"v1/charges/{(string)intent["latest_charge"]!}");
        await Get("v1/charges");
        await Get($"v1/payment_methods/{(string)subscription["default_payment_method"]!}");

        // Plan change billed now (proration invoice items, subscription_update invoice), an add-on item, a pending invoice item.
        await Post($"v1/subscriptions/{subscriptionId}", ("items[0][id]", itemId), ("items[0][price]", (string)pro["id"]!),
            ("proration_behavior", "always_invoice"), ("expand[]", "latest_invoice"));
        var addOn = await Post("v1/subscription_items", ("subscription", subscriptionId), ("price", (string)pro["id"]!), ("quantity", "2"), ("proration_behavior", "none"));
        var (_, deletedItem, _) = await h.SendAsync(HttpMethod.Delete, $"v1/subscription_items/{(string)addOn["id"]!}", [("proration_behavior", "none")]);
        sent.Add(("DELETE subscription item", deletedItem));
        await Get("v1/invoiceitems", ("customer", customerId));

        // A refund of part of the first payment.
        var refund = await Post("v1/refunds", ("payment_intent", intentId), ("amount", "100"), ("reason", "requested_by_customer"));
        await Get($"v1/refunds/{(string)refund["id"]!}");
        await Get("v1/refunds", ("charge", (string)charge["id"]!));

        // A trial subscription for a new customer (trial_will_end at once), a good card, then cancel at period end.
        var trialSession = await Post("v1/checkout/sessions", ("mode", "subscription"), ("customer_email", "grace@example.com"),
            ("line_items[0][price]", (string)basic["id"]!), ("line_items[0][quantity]", "1"), ("success_url", "https://example.com/ok"),
            ("subscription_data[trial_period_days]", "2"));
        var trialCompleted = await h.CompleteCheckoutAsync((string)trialSession["id"]!);
        sent.Add(("_test complete trial", trialCompleted));
        var trialSubscriptionId = (string)trialCompleted["subscription"]!;
        var trialCustomerId = (string)trialCompleted["customer"]!;
        await Post($"v1/subscriptions/{trialSubscriptionId}", ("cancel_at_period_end", "true"), ("cancellation_details[comment]", "too expensive"));
        await Post($"v1/subscriptions/{trialSubscriptionId}", ("cancel_at_period_end", "false"));

        // Invoices through the API: a pending item pulled into a draft, finalised and paid; a decline answers 402.
        var pendingItem = await Post("v1/invoiceitems", ("customer", trialCustomerId), ("amount", "1500"), ("currency", "usd"), ("description", "Setup"));
        await Get($"v1/invoiceitems/{(string)pendingItem["id"]!}");
        var apiInvoice = await Post("v1/invoices", ("customer", trialCustomerId), ("pending_invoice_items_behavior", "include"), ("auto_advance", "false"));
        var apiInvoiceId = (string)apiInvoice["id"]!;
        await Post("v1/invoiceitems", ("customer", trialCustomerId), ("invoice", apiInvoiceId), ("pricing[price]", (string)pro["id"]!));
        await Post($"v1/invoices/{apiInvoiceId}/finalize");
        var trialPaymentMethod = (string)(await Get($"v1/subscriptions/{trialSubscriptionId}"))["default_payment_method"]!;
        await Post($"v1/invoices/{apiInvoiceId}/pay", ("payment_method", trialPaymentMethod));
        var declinedInvoice = await Post("v1/invoices", ("customer", customerId), ("auto_advance", "false"));
        await Post("v1/invoiceitems", ("customer", customerId), ("invoice", (string)declinedInvoice["id"]!), ("amount", "900"), ("currency", "usd"));
        await Post($"v1/invoices/{(string)declinedInvoice["id"]!}/finalize");
        await Refused(HttpMethod.Post, $"v1/invoices/{(string)declinedInvoice["id"]!}/pay", HttpStatusCode.PaymentRequired);

        // The clock: the trial ends and is paid, the declining card's renewal fails, retries, and the subscription is canceled.
        await h.AdvanceAsync(TimeSpan.FromDays(3));
        await h.AdvanceAsync(TimeSpan.FromDays(31));
        await h.AdvanceAsync(TimeSpan.FromDays(8));
        await Get($"v1/subscriptions/{subscriptionId}");
        await Get("v1/subscriptions", ("status", "all"));
        var (_, canceled, _) = await h.SendAsync(HttpMethod.Delete, $"v1/subscriptions/{trialSubscriptionId}");
        sent.Add(("DELETE subscription", canceled));

        // Payment mode with a destination charge, an expired session, the portal.
        var account = await Post("v1/accounts", ("type", "express"), ("email", "seller@example.com"), ("country", "US"),
            ("capabilities[transfers][requested]", "true"), ("metadata[developer_id]", "dev_1"));
        var accountId = (string)account["id"]!;
        await Post("v1/account_links", ("account", accountId), ("type", "account_onboarding"), ("return_url", "https://example.com/r"),
            ("refresh_url", "https://example.com/f"));
        var (onboardStatus, onboarded) = await h.TestAsync(HttpMethod.Post, $"_test/accounts/{accountId}/complete_onboarding");
        Assert.That(onboardStatus, Is.EqualTo(HttpStatusCode.OK));
        sent.Add(("_test onboarding", onboarded));
        await Get($"v1/accounts/{accountId}");
        await Get("v1/accounts");
        var paymentSession = await Post("v1/checkout/sessions", ("mode", "payment"), ("customer_creation", "always"), ("customer_email", "buyer@example.com"),
            ("line_items[0][price_data][currency]", "usd"), ("line_items[0][price_data][product_data][name]", "Credits"),
            ("line_items[0][price_data][unit_amount]", "2198"), ("line_items[0][quantity]", "1"), ("payment_intent_data[application_fee_amount]", "220"),
            ("payment_intent_data[transfer_data][destination]", accountId), ("payment_intent_data[metadata][order]", "o1"), ("success_url", "https://example.com/ok"));
        sent.Add(("_test complete payment", await h.CompleteCheckoutAsync((string)paymentSession["id"]!)));
        var expiring = await Post("v1/checkout/sessions", ("mode", "payment"), ("line_items[0][price]", (string)oneTime["id"]!), ("line_items[0][quantity]", "1"),
            ("success_url", "https://example.com/ok"));
        await Post($"v1/checkout/sessions/{(string)expiring["id"]!}/expire");
        await Post("v1/billing_portal/sessions", ("customer", customerId), ("return_url", "https://example.com/account"));
        await Post("v1/billing_portal/sessions", ("customer", customerId), ("flow_data[type]", "subscription_cancel"),
            ("flow_data[subscription_cancel][subscription]", subscriptionId), ("flow_data[after_completion][type]", "redirect"),
            ("flow_data[after_completion][redirect][return_url]", "https://example.com/done"));

        // Connect transfers, reversals and the connected account's balance.
        var transfer = await Post("v1/transfers", ("amount", "1000"), ("currency", "usd"), ("destination", accountId), ("transfer_group", "payout_1"),
            ("metadata[payout_id]", "payout_1"));
        var transferId = (string)transfer["id"]!;
        var reversal = await Post($"v1/transfers/{transferId}/reversals", ("amount", "100"), ("metadata[revenue_event_id]", "r1"));
        await Get($"v1/transfers/{transferId}");
        await Get($"v1/transfers/{transferId}/reversals");
        await Get("v1/transfers");
        Assert.That((string?)reversal["object"], Is.EqualTo("transfer_reversal"));
        using (var balanceRequest = new HttpRequestMessage(HttpMethod.Get, "v1/balance"))
        {
            balanceRequest.Headers.Add("Stripe-Account", accountId);
            balanceRequest.Headers.Add("Stripe-Version", "2026-10-28.endive");
            using var response = await h.Http.SendAsync(balanceRequest);
            sent.Add(("GET v1/balance", JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject()));
        }

        // A refund that reverses the destination charge's transfer; a connected account's balance set by a test route.
        var destinationIntent = (string)(await Get($"v1/checkout/sessions/{(string)paymentSession["id"]!}"))["payment_intent"]!;
        await Post("v1/refunds", ("payment_intent", destinationIntent), ("reverse_transfer", "true"), ("expand[]", "transfer_reversal"));
        var (balanceStatus, balance) = await h.TestAsync(HttpMethod.Post, $"_test/accounts/{accountId}/balance", new { amount = 5000, currency = "usd" });
        Assert.That(balanceStatus, Is.EqualTo(HttpStatusCode.OK));
        sent.Add(("_test balance", balance));

        // Errors: unknown and missing parameters, unknown ids, idempotency conflicts, bad keys, injected faults.
        await Refused(HttpMethod.Post, "v1/customers", HttpStatusCode.BadRequest, ("emali", "x@example.com"));
        _ = await h.SendAsync(HttpMethod.Post, "v1/customers", [("email", "idem@example.com")], "idem-binding");
        var (idemStatus, idemError, _) = await h.SendAsync(HttpMethod.Post, "v1/customers", [("email", "other@example.com")], "idem-binding");
        Assert.That(idemStatus, Is.EqualTo(HttpStatusCode.BadRequest));
        sent.Add(("idempotency_error", idemError));
        var (faultStatus, _) = await h.TestAsync(HttpMethod.Post, "_test/faults", new { method = "GET", path_prefix = "/v1/customers", status = 429, count = 1, type = "invalid_request_error", code = "rate_limit" });
        Assert.That(faultStatus, Is.EqualTo(HttpStatusCode.OK));
        await Refused(HttpMethod.Get, "v1/customers", HttpStatusCode.TooManyRequests);
        using (var badKey = new HttpRequestMessage(HttpMethod.Get, "v1/customers"))
        {
            badKey.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk_live_not_for_the_emulator");
            using var response = await h.Http.SendAsync(badKey);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            sent.Add(("401", JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject()));
        }

        await Refused(HttpMethod.Post, "v1/account_links", HttpStatusCode.BadRequest, ("type", "account_onboarding"));
        await Refused(HttpMethod.Get, "v1/customers/cus_DoesNotExist0001", HttpStatusCode.NotFound);
        await h.FlushAsync();
        return sent;
    }
}
