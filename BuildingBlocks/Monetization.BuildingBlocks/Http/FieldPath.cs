using System.Text;
using System.Text.Json;

namespace Monetization.BuildingBlocks.Http;

/// <summary>Converts FluentValidation property paths (<c>Events[3].EventId</c>) to the API's names (<c>events[3].event_id</c>).</summary>
public static class FieldPath
{
    /// <summary>Snake-cases each segment of a dotted/indexed path, keeping indexers and dots.</summary>
    public static string ToSnakeCase(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return path;
        }

        var builder = new StringBuilder(path.Length + 8);
        var segment = new StringBuilder();
        foreach (var c in path)
        {
            if (c is '.' or '[' or ']')
            {
                builder.Append(JsonNamingPolicy.SnakeCaseLower.ConvertName(segment.ToString()));
                segment.Clear();
                builder.Append(c);
            }
            else
            {
                segment.Append(c);
            }
        }

        builder.Append(JsonNamingPolicy.SnakeCaseLower.ConvertName(segment.ToString()));
        return builder.ToString();
    }
}
