using System.Text.Json.Nodes;
using Monetization.TestKit;

namespace Monetization.Platform.Tests;

/// <summary>docs/api.md and the module pages keep up with the routes the Host actually serves (read from /openapi.json).</summary>
public sealed class ApiDocumentationTests
{
    [Test]
    public async Task Every_route_is_listed_in_docs_api_and_has_its_examples_page()
    {
        await using var factory = new MonetizationFactory();
        using var client = factory.CreateAnonymousClient();
        var document = await client.GetJsonAsync("/openapi.json");
        var root = TestPaths.RepositoryRoot;
        var api = await File.ReadAllTextAsync(Path.Combine(root, "docs", "api.md"));
        var missing = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var verb = method.ToUpperInvariant();
                if (!api.Contains($"| {verb} | `{path}` |", StringComparison.Ordinal))
                {
                    missing.Add($"docs/api.md lacks {verb} {path}");
                }

                var tag = operation!["tags"]![0]!.GetValue<string>().ToLowerInvariant();
                var page = Path.Combine(root, "docs", "modules", tag + ".md");
                if (tag != "platform" && (!File.Exists(page) || !(await File.ReadAllTextAsync(page)).Contains(path, StringComparison.Ordinal)))
                {
                    missing.Add($"docs/modules/{tag}.md has no example of {verb} {path}");
                }
            }
        }

        Assert.That(missing, Is.Empty);
        Assert.That(document["paths"]!.AsObject().Count, Is.GreaterThan(30), "every module's routes are in the document");
    }
}
