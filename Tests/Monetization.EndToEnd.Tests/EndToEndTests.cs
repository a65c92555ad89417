using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Http;
using Monetization.TestKit;

namespace Monetization.EndToEnd.Tests;

/// <summary>
/// Issue 8: the whole story (<see cref="Story"/>) once with Stripe's normal webhook delivery, then again on a fresh
/// Host with every webhook delivered twice and in shuffled order from the start; both must end in the same state.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class EndToEndTests
{
    private static JsonObject? _normal;
    private static IReadOnlyDictionary<string, JsonNode?>? _contracts;
    private static List<string>? _declared;

    [Test]
    [Order(1)]
    public async Task Story_with_normal_webhook_delivery()
    {
        var recorder = new ContractRecorder();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var factory = Story.CreateFactory();
        factory.WithServices(s => s.AddSingleton<IStartupFilter>(recorder));
        var endpoint = await ProductWebhooks.RegisterAsync(factory, receiver);
        using var story = new Story(factory);
        _normal = await story.RunAsync();
        TestContext.Out.WriteLine(Indented(_normal));
        Assert.That(story.ProductBugs, Is.Empty, "product bugs met by the story");
        Snapshot.Match(_normal, "story");
        await ProductWebhooks.AssertToldAsync(factory, receiver, endpoint);
        await ContractCalls.ExerciseRoutesTheStoryLeavesAsync(factory);
        _contracts = recorder.Answers;
        _declared = factory.Services.GetRequiredService<ApiCatalog>().All.Select(r => $"{r.Method} {r.Pattern}").ToList();
    }

    [Test]
    [Order(2)]
    public async Task Same_story_with_every_webhook_twice_and_shuffled_ends_in_the_same_state()
    {
        if (_normal is null)
        {
            Assert.Inconclusive("The normal run did not finish: nothing to compare with.");
        }

        await using var factory = Story.CreateFactory();
        using var story = new Story(factory);
        var settings = await factory.SetStripeWebhookDeliveryAsync(duplicate: true, shuffle: true);
        Assert.That((settings.Bool("duplicate"), settings.Bool("shuffle")), Is.EqualTo((true, true)), settings?.ToJsonString());
        var chaotic = await story.RunAsync();

        using var admin = factory.CreateAdminClient(); // outside Development the emulator's test routes need the admin key
        var log = await admin.GetJsonAsync("/_stripe/_test/events/delivered");
        var delivered = log as JsonArray ?? log.Arr("data");
        Assert.That(delivered.Count(d => d.Bool("duplicate")), Is.GreaterThan(0), "webhooks were really delivered twice");

        Assert.That(story.ProductBugs, Is.Empty, "product bugs met by the story");
        Assert.That(Indented(chaotic), Is.EqualTo(Indented(_normal!)));
    }

    /// <summary>
    /// Issue 15: one verified snapshot of each route's success answer (<c>Contracts/</c>), so a change to a public shape
    /// shows up in review; every route the Host declares is covered.
    /// </summary>
    [Test]
    [Order(3)]
    public void Every_route_answered_once_in_its_verified_shape()
    {
        if (_contracts is null)
        {
            Assert.Inconclusive("The normal run did not finish: no answers recorded.");
        }

        var declared = _declared!;
        var missing = declared.Except(_contracts!.Keys).ToList();
        Assert.That(missing, Is.Empty, "routes without a recorded success answer:\n" + string.Join("\n", missing));
        Assert.Multiple(() =>
        {
            foreach (var (route, answer) in _contracts!.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Snapshot.Match(answer, "Contracts/" + ContractCalls.FileNameOf(route), Story.OpaqueKeys);
            }
        });
    }

    private static string Indented(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
