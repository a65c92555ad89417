using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Forms;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Shapes;

namespace Monetization.StripeEmulator.Api;

/// <summary>Stripe list envelopes with <c>limit</c>, <c>starting_after</c>, <c>ending_before</c> and <c>created</c> filters.</summary>
internal static class Lists
{
    public const string PagingParams = "limit starting_after ending_before created";

    public static JsonObject Page(FormNode form, IEnumerable<JsonObject> newestFirst, string url)
    {
        var limit = form.Long("limit") ?? 10;
        if (limit is < 1 or > 100)
        {
            throw ApiException.Invalid("This value must be greater than or equal to 1 and less than or equal to 100.", "limit", "parameter_invalid_integer");
        }

        var items = FilterCreated(form, newestFirst).ToList();
        var startingAfter = form.Str("starting_after");
        var endingBefore = form.Str("ending_before");
        List<JsonObject> page;
        bool hasMore;
        if (!string.IsNullOrEmpty(startingAfter))
        {
            var index = items.FindIndex(o => o.Str("id") == startingAfter);
            var rest = index < 0 ? [] : items.Skip(index + 1).ToList();
            page = rest.Take((int)limit).ToList();
            hasMore = rest.Count > page.Count;
        }
        else if (!string.IsNullOrEmpty(endingBefore))
        {
            var index = items.FindIndex(o => o.Str("id") == endingBefore);
            var before = index < 0 ? [] : items.Take(index).ToList();
            page = before.Skip(Math.Max(0, before.Count - (int)limit)).ToList();
            hasMore = before.Count > page.Count;
        }
        else
        {
            page = items.Take((int)limit).ToList();
            hasMore = items.Count > page.Count;
        }

        return Common.List(url, page.Select(o => (JsonNode)o.DeepClone()), hasMore);
    }

    private static IEnumerable<JsonObject> FilterCreated(FormNode form, IEnumerable<JsonObject> items)
    {
        var created = form.Get("created");
        if (created is null)
        {
            return items;
        }

        if (created.IsScalar)
        {
            var exact = form.Long("created");
            return items.Where(o => o.Long("created") == exact);
        }

        created.Allow("gt gte lt lte");
        var gt = created.Long("gt");
        var gte = created.Long("gte");
        var lt = created.Long("lt");
        var lte = created.Long("lte");
        return items.Where(o =>
        {
            var c = o.Long("created");
            return (gt is null || c > gt) && (gte is null || c >= gte) && (lt is null || c < lt) && (lte is null || c <= lte);
        });
    }
}
