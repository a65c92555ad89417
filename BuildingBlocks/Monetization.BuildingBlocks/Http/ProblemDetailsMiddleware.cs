using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Monetization.BuildingBlocks.Http;

/// <summary>
/// Turns every failure into problem+json: validation failures into 422 with per-field errors, unreadable bodies into
/// 400, oversized bodies into 413, <see cref="ProblemException"/> as it says, anything else into a 500 without a stack
/// trace (logged with the request's trace id). Also gives empty 4xx/5xx answers (unknown route, wrong method) a body.
/// </summary>
public sealed partial class ProblemDetailsMiddleware(RequestDelegate next, ILogger<ProblemDetailsMiddleware> logger)
{
    /// <summary>Runs the rest of the pipeline under the error handler.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context);
            if (context.Response is { StatusCode: >= 400, HasStarted: false, ContentLength: null } && string.IsNullOrEmpty(context.Response.ContentType))
            {
                await Problems.WriteAsync(context, new ProblemException(context.Response.StatusCode, ReasonFor(context.Response.StatusCode)));
            }
        }
        catch (Exception exception) when (!context.Response.HasStarted && ToProblem(exception, context.RequestServices) is { } problem)
        {
            if (problem.Status >= 500)
            {
                LogUnhandled(logger, exception, context.Request.Method, context.Request.Path, context.TraceIdentifier);
            }

            context.Response.Clear();
            await Problems.WriteAsync(context, problem);
        }
    }

    /// <summary>
    /// Maps an exception to the problem it answers with; null for a client abort. The <see cref="IExceptionProblemMapper"/>s
    /// registered in <paramref name="services"/> are asked first (Stripe failures: 503/502, issue 16).
    /// </summary>
    public static ProblemException? ToProblem(Exception exception, IServiceProvider? services = null)
    {
        if (services?.GetService(typeof(IEnumerable<IExceptionProblemMapper>)) is IEnumerable<IExceptionProblemMapper> mappers)
        {
            foreach (var mapper in mappers)
            {
                if (mapper.ToProblem(exception) is { } mapped)
                {
                    return mapped;
                }
            }
        }

        return BuiltIn(exception);
    }

    private static ProblemException? BuiltIn(Exception exception) => exception switch
    {
        ProblemException p => p,
        ValidationException v => FromValidation(v),
        OperationCanceledException => null,
        JsonException j => ProblemException.BadRequest($"The request body is not valid JSON: {j.Message}", "malformed_json"),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new ProblemException(413, "Payload too large", "The request body is larger than this route accepts.", "payload_too_large"),
        BadHttpRequestException b => new ProblemException(b.StatusCode, "Bad request", b.Message, "bad_request"),
        _ => new ProblemException(500, "Internal error", "The server failed to handle the request; it has been logged.", "internal_error"),
    };

    /// <summary>422 with the failures grouped by snake_case property path.</summary>
    public static ProblemException FromValidation(ValidationException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var errors = exception.Errors
            .GroupBy(e => FieldPath.ToSnakeCase(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal);
        var fields = string.Join(", ", errors.Keys);
        return new ProblemException(422, "Validation failed", $"Invalid fields: {fields}.", "validation_failed", errors);
    }

    private static string ReasonFor(int status) => status switch
    {
        404 => "Not found",
        405 => "Method not allowed",
        415 => "Unsupported media type",
        _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled failure on {Method} {Path} (trace {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path, string traceId);
}
