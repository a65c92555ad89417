using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Monetization.BuildingBlocks.Http;

/// <summary>Writes RFC 9457 problem documents (<c>application/problem+json</c>) in the API's JSON conventions.</summary>
public static class Problems
{
    /// <summary>Base of problem <c>type</c> URIs.</summary>
    public const string TypeBase = "https://monetization.dev/problems/";

    /// <summary>Writes a problem response; field error keys and extension names are written as given (snake_case).</summary>
    public static async Task WriteAsync(HttpContext context, ProblemException problem)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(problem);
        var body = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["type"] = TypeBase + (problem.Type ?? StatusSlug(problem.Status)),
            ["title"] = problem.Title,
            ["status"] = problem.Status,
            ["detail"] = problem.Detail,
            ["instance"] = context.Request.Path.Value,
        };
        if (problem.Errors is { Count: > 0 })
        {
            body["errors"] = problem.Errors;
        }

        if (problem.Extensions is not null)
        {
            foreach (var (key, value) in problem.Extensions)
            {
                body[key] = value;
            }
        }

        context.Response.StatusCode = problem.Status;
        if (problem.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "application/problem+json";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, ApiJson.Options, context.RequestAborted);
    }

    private static string StatusSlug(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "validation_failed",
        429 => "too_many_requests",
        502 => "upstream_failed",
        503 => "unavailable",
        _ => "internal_error",
    };
}
