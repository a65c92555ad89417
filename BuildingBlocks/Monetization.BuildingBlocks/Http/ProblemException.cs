namespace Monetization.BuildingBlocks.Http;

/// <summary>
/// A failure that answers the request with an RFC 9457 <c>application/problem+json</c> body. Handlers throw it for rule
/// violations (409 conflict, 404 not found, 422 with field errors); the error middleware writes it. Nothing the
/// handler changed is committed when it throws before <c>SaveChanges</c>.
/// </summary>
public sealed class ProblemException : Exception
{
    /// <summary>Creates a problem.</summary>
    /// <param name="status">HTTP status (4xx/5xx).</param>
    /// <param name="title">Short, stable summary of the problem type.</param>
    /// <param name="detail">Human explanation of this occurrence.</param>
    /// <param name="type">Problem type: a short slug appended to <c>https://monetization.dev/problems/</c>.</param>
    /// <param name="errors">Per-field messages keyed by the snake_case field path (<c>events[3].quantity</c>).</param>
    /// <param name="extensions">Extra members (e.g. <c>limit</c>, <c>upgrade_hint</c>).</param>
    public ProblemException(
        int status,
        string title,
        string? detail = null,
        string? type = null,
        IReadOnlyDictionary<string, string[]>? errors = null,
        IReadOnlyDictionary<string, object?>? extensions = null)
        : base(detail ?? title)
    {
        Status = status;
        Title = title;
        Detail = detail;
        Type = type;
        Errors = errors;
        Extensions = extensions;
    }

    /// <summary>Creates a problem (parameterless form for serializers and analyzers).</summary>
    public ProblemException()
        : this(500, "Internal error")
    {
    }

    /// <summary>Creates a problem with a message as title.</summary>
    public ProblemException(string message)
        : this(500, message)
    {
    }

    /// <summary>Creates a problem wrapping an inner exception.</summary>
    public ProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 500;
        Title = message;
    }

    /// <summary>HTTP status.</summary>
    public int Status { get; }

    /// <summary>Problem title.</summary>
    public string Title { get; } = "Error";

    /// <summary>Problem detail.</summary>
    public string? Detail { get; }

    /// <summary>Problem type slug.</summary>
    public string? Type { get; }

    /// <summary>Field errors.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; }

    /// <summary>Extension members.</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; }

    /// <summary>When set, the answer carries <c>Retry-After</c> with this many seconds (RFC 9110 §10.2.3), e.g. 503 while Stripe is down.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>404 for a missing resource.</summary>
    public static ProblemException NotFound(string what, string id) =>
        new(404, "Not found", $"{what} '{id}' does not exist.", "not_found");

    /// <summary>409 for a state conflict.</summary>
    public static ProblemException Conflict(string type, string detail, IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(409, "Conflict", detail, type, extensions: extensions);

    /// <summary>422 naming one field and the rule it breaks.</summary>
    public static ProblemException Invalid(string field, string message, string type = "validation_failed") =>
        new(422, "Validation failed", message, type, new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>400 for a request that cannot be read.</summary>
    public static ProblemException BadRequest(string detail, string type = "bad_request") =>
        new(400, "Bad request", detail, type);
}
