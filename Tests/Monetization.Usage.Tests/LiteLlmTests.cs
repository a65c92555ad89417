using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Monetization.TestKit;

namespace Monetization.Usage.Tests;

/// <summary>
/// <c>POST /v1/usage/integrations/litellm</c> against what LiteLLM really sends. The payload below is LiteLLM's own
/// StandardLoggingPayload test fixture, tests/logging_callback_tests/gcs_pub_sub_body/standard_logging_payload.json
/// (BerriAI/litellm, commit 055a04e0a1a348476bf6c1fa5ff4d5c75a73ddc2), with <c>model_map_information.model_map_value</c>
/// shortened to its first members; its fields are those of <c>StandardLoggingPayload</c> in litellm/types/utils.py. The
/// generic API logger (litellm/integrations/generic_api/generic_api_callback.py) posts a batch of these as a JSON array
/// (<c>log_format: json_array</c>, the default), as newline-delimited JSON (<c>ndjson</c>) or one per request (<c>single</c>).
/// Where a test needs a user, status or plugin, it sets the member LiteLLM defines for it (<c>metadata.user_api_key_user_id</c>,
/// <c>end_user</c>, <c>status: "failure"</c>, <c>request_tags</c>) on that fixture.
/// </summary>
public sealed class LiteLlmTests
{
    private const string UsageWriteKey = "mk_test_usage_write_key_0123456789";

    /// <summary>2025-01-24 09:20:46.847371, the fixture's startTime (UTC).</summary>
    private static readonly DateTimeOffset CallTime = new(2025, 1, 24, 9, 20, 46, TimeSpan.Zero);

    private const string Fixture = """
        {
            "id": "chatcmpl-2299b6a2-82a3-465a-b47c-04e685a2227f",
            "trace_id": null,
            "call_type": "acompletion",
            "cache_hit": null,
            "stream": true,
            "status": "success",
            "custom_llm_provider": "openai",
            "saved_cache_cost": 0.0,
            "startTime": "2025-01-24 09:20:46.847371",
            "endTime": "2025-01-24 09:20:46.851954",
            "completionStartTime": "2025-01-24 09:20:46.851954",
            "response_time": 0.007394075393676758,
            "model": "gpt-4o",
            "metadata": {
              "user_api_key_hash": null,
              "user_api_key_alias": null,
              "user_api_key_team_id": null,
              "user_api_key_org_id": null,
              "user_api_key_user_id": null,
              "user_api_key_team_alias": null,
              "user_api_key_user_email": null,
              "spend_logs_metadata": null,
              "requester_ip_address": null,
              "requester_metadata": null,
              "user_api_key_end_user_id": null,
              "prompt_management_metadata": null,
              "applied_guardrails": [],
              "mcp_tool_call_metadata": null,
              "vector_store_request_metadata": null,
              "guardrail_information": null
            },
            "cache_key": null,
            "response_cost": 0.00022500000000000002,
            "total_tokens": 30,
            "prompt_tokens": 10,
            "completion_tokens": 20,
            "request_tags": [],
            "end_user": "",
            "api_base": "",
            "model_group": "",
            "model_id": "",
            "requester_ip_address": null,
            "messages": [{ "role": "user", "content": "Hello, world!" }],
            "response": {
              "id": "chatcmpl-2299b6a2-82a3-465a-b47c-04e685a2227f",
              "created": 1742855151,
              "model": "gpt-4o",
              "object": "chat.completion",
              "system_fingerprint": null,
              "choices": [{ "finish_reason": "stop", "index": 0, "message": { "content": "hi", "role": "assistant", "tool_calls": null, "function_call": null, "provider_specific_fields": null } }],
              "usage": { "completion_tokens": 20, "prompt_tokens": 10, "total_tokens": 30, "completion_tokens_details": null, "prompt_tokens_details": null }
            },
            "model_parameters": {},
            "hidden_params": {
              "model_id": null,
              "cache_key": null,
              "api_base": "https://api.openai.com",
              "response_cost": 0.00022500000000000002,
              "additional_headers": {},
              "litellm_overhead_time_ms": null,
              "batch_models": null,
              "litellm_model_name": "gpt-4o"
            },
            "model_map_information": {
              "model_map_key": "gpt-4o",
              "model_map_value": { "key": "gpt-4o", "max_tokens": 16384, "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "litellm_provider": "openai", "mode": "chat" }
            },
            "error_str": null,
            "error_information": { "error_code": "", "error_class": "", "llm_provider": "", "traceback": "", "error_message": "" },
            "response_cost_failure_debug_info": null,
            "guardrail_information": null,
            "standard_built_in_tools_params": { "web_search_options": null, "file_search": null }
        }
        """;

    /// <summary>The fixture with the members a test needs changed (as LiteLLM fills them on a real proxy call).</summary>
    private static JsonObject Payload(string id, string? keyUser = "u_lite", string? endUser = null, string status = "success", string? plugin = null, string[]? tags = null, long prompt = 10, long completion = 20)
    {
        var payload = JsonNode.Parse(Fixture)!.AsObject();
        payload["id"] = id;
        payload["status"] = status;
        payload["metadata"]!["user_api_key_user_id"] = keyUser;
        payload["end_user"] = endUser ?? "";
        payload["prompt_tokens"] = prompt;
        payload["completion_tokens"] = completion;
        payload["total_tokens"] = prompt + completion;
        if (plugin is not null)
        {
            payload["metadata"]!["plugin_id"] = plugin;
        }

        if (tags is not null)
        {
            payload["request_tags"] = new JsonArray(tags.Select(t => (JsonNode)t).ToArray());
        }

        return payload;
    }

    private static UsageFactory Factory()
    {
        var f = new UsageFactory();
        f.WithSetting("Auth:ApiKeys:7:Name", "litellm");
        f.WithSetting("Auth:ApiKeys:7:Key", UsageWriteKey);
        f.WithSetting("Auth:ApiKeys:7:Scopes:0", "usage:write");
        f.Clock.SetUtcNow(CallTime.AddMinutes(5));
        return f;
    }

    private static HttpClient LiteLlm(UsageFactory f)
    {
        var client = f.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", UsageWriteKey);
        return client;
    }

    private static Task<HttpResponseMessage> PostRawAsync(HttpClient client, string body) =>
        client.PostAsync("/v1/usage/integrations/litellm", new StringContent(body, Encoding.UTF8, "application/json"));

    private static async Task<JsonArray> EventsAsync(UsageFactory f, string user) =>
        (await f.CreateReadClient().GetJsonAsync($"/v1/usage/{user}/events"))["data"]!.AsArray();

    [Test]
    public async Task A_json_array_batch_becomes_token_events_keyed_by_the_call_id_with_input_output_tokens_and_model()
    {
        await using var f = Factory();
        var batch = new JsonArray(Payload("call-1", prompt: 1_200, completion: 300), Payload("call-2", keyUser: null, endUser: "u_end", prompt: 50, completion: 5));
        using var response = await PostRawAsync(LiteLlm(f), batch.ToJsonString());
        var body = await response.ReadJsonAsync(202);
        Assert.That((body.Long("received"), body.Long("accepted"), body.Long("duplicates"), body["skipped"]!.AsArray().Count), Is.EqualTo((2L, 2L, 0L, 0)));

        var stored = (await EventsAsync(f, "u_lite")).Single()!;
        Assert.That((stored["event_id"]!.GetValue<string>(), stored["meter"]!.GetValue<string>(), stored.Long("quantity")), Is.EqualTo(("call-1", "tokens", 1_500L)));
        Assert.That(stored["timestamp"]!.GetValue<DateTimeOffset>(), Is.EqualTo(new DateTimeOffset(2025, 1, 24, 9, 20, 46, 847, TimeSpan.Zero).AddTicks(3710)));
        var properties = stored["properties"]!;
        Assert.That((properties["model"]!.GetValue<string>(), properties.Long("input_tokens"), properties.Long("output_tokens"), properties["call_type"]!.GetValue<string>()),
            Is.EqualTo(("gpt-4o", 1_200L, 300L, "acompletion")));
        Assert.That((await EventsAsync(f, "u_end")).Single()!["event_id"]!.GetValue<string>(), Is.EqualTo("call-2"), "end_user names the user when the key has none");

        var consumption = await f.CreateReadClient().GetJsonAsync("/v1/usage/u_lite/consumption?month=2025-01");
        var tokens = consumption["meters"]!.AsArray().Single(m => m!["meter"]!.GetValue<string>() == "tokens")!;
        Assert.That(tokens.Long("used"), Is.EqualTo(1_500));
    }

    [Test]
    public async Task LiteLLM_sending_a_batch_again_is_deduplicated_by_the_call_id()
    {
        await using var f = Factory();
        var batch = new JsonArray(Payload("call-1"), Payload("call-2")).ToJsonString();
        using (var first = await PostRawAsync(LiteLlm(f), batch))
        {
            await first.ReadJsonAsync(202);
        }

        using var again = await PostRawAsync(LiteLlm(f), batch);
        var body = await again.ReadJsonAsync(202);
        Assert.That((body.Long("accepted"), body.Long("duplicates")), Is.EqualTo((0L, 2L)));
        Assert.That(await EventsAsync(f, "u_lite"), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_single_payload_and_ndjson_are_accepted_as_LiteLLM_sends_them_with_log_format_single_and_ndjson()
    {
        await using var f = Factory();
        using (var single = await PostRawAsync(LiteLlm(f), Payload("call-single").ToJsonString()))
        {
            Assert.That((await single.ReadJsonAsync(202)).Long("accepted"), Is.EqualTo(1));
        }

        var ndjson = string.Join("\n", Payload("call-nd-1").ToJsonString(), Payload("call-nd-2").ToJsonString());
        using var response = await PostRawAsync(LiteLlm(f), ndjson);
        Assert.That((await response.ReadJsonAsync(202)).Long("accepted"), Is.EqualTo(2));
        Assert.That((await EventsAsync(f, "u_lite")).Select(e => e!["event_id"]!.GetValue<string>()), Is.EquivalentTo(new[] { "call-single", "call-nd-1", "call-nd-2" }));
    }

    [Test]
    public async Task A_failed_call_and_a_call_without_a_user_are_not_billed_and_are_reported_as_skipped()
    {
        await using var f = Factory();
        var batch = new JsonArray(Payload("call-ok"), Payload("call-failed", status: "failure"), JsonNode.Parse(Fixture)!);
        using var response = await PostRawAsync(LiteLlm(f), batch.ToJsonString());
        var body = await response.ReadJsonAsync(202);
        Assert.That(body.Long("accepted"), Is.EqualTo(1));
        var skipped = body["skipped"]!.AsArray().Select(s => (s!.Long("index"), s!["id"]!.GetValue<string>(), s!["reason"]!.GetValue<string>())).ToList();
        Assert.That(skipped, Is.EqualTo(new[] { (1L, "call-failed", "failure"), (2L, "chatcmpl-2299b6a2-82a3-465a-b47c-04e685a2227f", "no_user") }));
        Assert.That((await EventsAsync(f, "u_lite")).Single()!["event_id"]!.GetValue<string>(), Is.EqualTo("call-ok"));
    }

    [Test]
    public async Task The_plugin_comes_from_metadata_plugin_id_or_from_the_configured_request_tag()
    {
        await using var f = Factory();
        var batch = new JsonArray(Payload("call-meta", plugin: "plg_meta"), Payload("call-tag", tags: ["team:a", "plugin_id:plg_tag"]), Payload("call-none"));
        using (var response = await PostRawAsync(LiteLlm(f), batch.ToJsonString()))
        {
            await response.ReadJsonAsync(202);
        }

        var byId = (await EventsAsync(f, "u_lite")).ToDictionary(e => e!["event_id"]!.GetValue<string>(), e => e!["properties"]!["plugin_id"]?.GetValue<string>());
        Assert.That(byId, Is.EquivalentTo(new Dictionary<string, string?> { ["call-meta"] = "plg_meta", ["call-tag"] = "plg_tag", ["call-none"] = null }));
        var summary = await f.CreateReadClient().GetJsonAsync("/v1/usage/u_lite/summary?from=2025-01&to=2025-01&group_by=plugin_id");
        var tokens = summary["data"]!.AsArray().Where(g => g!["meter"]!.GetValue<string>() == "tokens")
            .ToDictionary(g => g!["key"]?.GetValue<string>() ?? "(none)", g => g!.Long("used"));
        Assert.That(tokens, Is.EquivalentTo(new Dictionary<string, long> { ["plg_meta"] = 30, ["plg_tag"] = 30, ["(none)"] = 30 }));
    }

    [Test]
    public async Task A_Unix_seconds_startTime_is_read_as_LiteLLM_types_it()
    {
        await using var f = Factory();
        var payload = Payload("call-epoch");
        payload["startTime"] = 1737710446.847371m;
        using (var response = await PostRawAsync(LiteLlm(f), new JsonArray(payload).ToJsonString()))
        {
            await response.ReadJsonAsync(202);
        }

        var at = (await EventsAsync(f, "u_lite")).Single()!["timestamp"]!.GetValue<DateTimeOffset>();
        Assert.That(at, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1737710446).AddTicks(8473710)));
    }

    [Test]
    public async Task Bad_payloads_are_422_naming_the_payload_field_and_nothing_of_the_batch_is_stored()
    {
        await using var f = Factory();
        var noId = Payload("x");
        noId.Remove("id");
        var negative = Payload("call-neg", prompt: -5);
        var badTime = Payload("call-time");
        badTime["startTime"] = "yesterday";
        var noModel = Payload("call-model");
        noModel["model"] = "";
        var batch = new JsonArray(Payload("call-good"), noId, negative, badTime, noModel, JsonValue.Create(7));
        using var response = await PostRawAsync(LiteLlm(f), batch.ToJsonString());
        var problem = await response.ShouldBeProblemAsync(422, "[1].id");
        var fields = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.That(fields, Is.SupersetOf(new[] { "[1].id", "[2].prompt_tokens", "[3].startTime", "[4].model", "[5]" }));
        Assert.That(await EventsAsync(f, "u_lite"), Is.Empty);
    }

    [Test]
    public async Task A_call_in_an_invoiced_period_is_422_naming_its_startTime()
    {
        await using var f = Factory();
        f.Clock.SetUtcNow(new DateTimeOffset(2025, 2, 10, 0, 0, 0, TimeSpan.Zero));
        using (var run = await f.CreateAdminClient().PostJsonAsync("/v1/usage/invoices", new { period = "2025-01" }))
        {
            await run.ReadJsonAsync();
        }

        using var response = await PostRawAsync(LiteLlm(f), new JsonArray(Payload("call-late")).ToJsonString());
        await response.ShouldBeProblemAsync(422, "[0].startTime");
    }

    [Test]
    public async Task Malformed_json_is_400_an_empty_batch_422_and_the_route_needs_usage_write()
    {
        await using var f = Factory();
        using (var broken = await PostRawAsync(LiteLlm(f), "[{\"id\": \"call-1\", "))
        {
            await broken.ShouldBeProblemAsync(400);
        }

        using (var empty = await PostRawAsync(LiteLlm(f), "[]"))
        {
            await empty.ShouldBeProblemAsync(422, "payloads");
        }

        using (var read = await PostRawAsync(f.CreateReadClient(), new JsonArray(Payload("call-1")).ToJsonString()))
        {
            Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }

        using (var anonymous = await PostRawAsync(f.CreateAnonymousClient(), new JsonArray(Payload("call-1")).ToJsonString()))
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using (var other = await LiteLlm(f).GetAsync("/v1/usage/u_lite/events"))
        {
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "usage:write reads nothing");
        }

        using var admin = await PostRawAsync(f.CreateAdminClient(), new JsonArray(Payload("call-admin")).ToJsonString());
        Assert.That((await admin.ReadJsonAsync(202)).Long("accepted"), Is.EqualTo(1), "admin may do everything");
    }
}

internal static class JsonNodeExtensions
{
    public static long Long(this JsonNode node, string name) => node[name]!.GetValue<long>();
}
