using System.Buffers;
using System.Text.Json;
using Carter;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Monetization.BuildingBlocks.Http;

/// <summary>
/// Declares a module's routes on the endpoint builder Carter 10 hands to <see cref="ICarterModule.AddRoutes"/> (called once
/// at start): every route reads its input, sends one MediatR request and writes the response as snake_case JSON, and is
/// described (scope, summary, shapes) for the OpenAPI document (<see cref="ApiCatalog"/>). Obtain one with
/// <see cref="ApiEndpointsExtensions.MapApi"/>.
/// </summary>
public sealed class ApiEndpoints
{
    private readonly IEndpointRouteBuilder _endpoints;

    /// <summary>Creates the declarer; <paramref name="tag"/> groups the routes in the OpenAPI document.</summary>
    public ApiEndpoints(IEndpointRouteBuilder endpoints, string tag)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        _endpoints = endpoints;
        Tag = tag;
    }

    /// <summary>The module's tag in the OpenAPI document.</summary>
    public string Tag { get; }

    /// <summary>Maps a GET whose request is built from route values and the query.</summary>
    public void Get<TResponse>(string pattern, Func<HttpContext, IRequest<TResponse>> bind, ApiRoute route) =>
        Map("GET", pattern, route, null, typeof(TResponse), ctx => SendAsync(ctx, bind(ctx), route));

    /// <summary>Maps a DELETE whose request is built from route values and the query.</summary>
    public void Delete<TResponse>(string pattern, Func<HttpContext, IRequest<TResponse>> bind, ApiRoute route) =>
        Map("DELETE", pattern, route, null, typeof(TResponse), ctx => SendAsync(ctx, bind(ctx), route));

    /// <summary>Maps a POST with a JSON body (400 when it is missing or malformed).</summary>
    public void Post<TBody, TResponse>(string pattern, Func<HttpContext, TBody, IRequest<TResponse>> bind, ApiRoute route)
        where TBody : class =>
        Map("POST", pattern, route, typeof(TBody), typeof(TResponse), async ctx => await SendAsync(ctx, bind(ctx, await ReadBodyAsync<TBody>(ctx)), route));

    /// <summary>
    /// Maps a POST whose JSON body is read into memory (pooled buffer, within the body limit) and turned into
    /// <typeparamref name="TBody"/> by <paramref name="parse"/> in one synchronous pass, for routes where the serializer's
    /// resumable streaming read costs more than the work itself. <paramref name="parse"/> throws <see cref="JsonException"/>
    /// for a body of the wrong shape (answered 400 like <see cref="Post{TBody, TResponse}"/>); the route is described with
    /// <typeparamref name="TBody"/>'s shape.
    /// </summary>
    public void PostParsed<TBody, TResponse>(string pattern, JsonBodyParser<TBody> parse, Func<HttpContext, TBody, IRequest<TResponse>> bind, ApiRoute route)
        where TBody : class =>
        Map("POST", pattern, route, typeof(TBody), typeof(TResponse), async ctx => await SendAsync(ctx, bind(ctx, await ReadBufferedBodyAsync(ctx, parse)), route));

    /// <summary>Maps a PATCH with a JSON body.</summary>
    public void Patch<TBody, TResponse>(string pattern, Func<HttpContext, TBody, IRequest<TResponse>> bind, ApiRoute route)
        where TBody : class =>
        Map("PATCH", pattern, route, typeof(TBody), typeof(TResponse), async ctx => await SendAsync(ctx, bind(ctx, await ReadBodyAsync<TBody>(ctx)), route));

    /// <summary>Maps a POST without a body (or whose body is optional and ignored).</summary>
    public void PostEmpty<TResponse>(string pattern, Func<HttpContext, IRequest<TResponse>> bind, ApiRoute route) =>
        Map("POST", pattern, route, null, typeof(TResponse), ctx => SendAsync(ctx, bind(ctx), route));

    /// <summary>Maps a route that handles the raw request itself (e.g. a signed webhook over raw bytes).</summary>
    public void Raw(string method, string pattern, RequestDelegate handler, ApiRoute route, Type? requestBody = null, Type? response = null) =>
        Map(method, pattern, route, requestBody, response, handler);

    /// <summary>Reads and deserializes the JSON body.</summary>
    /// <exception cref="ProblemException">415 when the content type is not JSON; 400 when the body is empty or not JSON of the expected shape.</exception>
    public static async Task<TBody> ReadBodyAsync<TBody>(HttpContext context)
        where TBody : class
    {
        ArgumentNullException.ThrowIfNull(context);
        EnsureJsonContentType(context);
        try
        {
            return await JsonSerializer.DeserializeAsync<TBody>(context.Request.Body, ApiJson.Options, context.RequestAborted)
                ?? throw EmptyBody();
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }
    }

    /// <summary>Reads the whole body into a pooled buffer and parses it with <paramref name="parse"/>.</summary>
    /// <exception cref="ProblemException">415 when the content type is not JSON; 400 when the body is empty or not JSON of the expected shape.</exception>
    public static async Task<TBody> ReadBufferedBodyAsync<TBody>(HttpContext context, JsonBodyParser<TBody> parse)
        where TBody : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parse);
        EnsureJsonContentType(context);
        var declared = context.Request.ContentLength;
        var buffer = ArrayPool<byte>.Shared.Rent(declared is > 0 and < int.MaxValue ? (int)declared.Value + 1 : 16 * 1024);
        var length = 0;
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
            {
                length += read;
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            return parse(buffer.AsSpan(0, length)) ?? throw EmptyBody();
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void EnsureJsonContentType(HttpContext context)
    {
        if (context.Request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ProblemException(415, "Unsupported media type", "Send the body as application/json.", "unsupported_media_type");
        }
    }

    private static ProblemException EmptyBody() => ProblemException.BadRequest("The request body is empty; a JSON object is expected.", "empty_body");

    private static ProblemException Malformed(JsonException e)
    {
        var where = e.Path is { Length: > 2 } path ? $" at {path[2..]}" : "";
        return ProblemException.BadRequest($"The request body is not valid JSON for this route{where}: {e.Message}", "malformed_json");
    }

    /// <summary>Sends the request through MediatR and writes the response with the route's status.</summary>
    public static async Task SendAsync<TResponse>(HttpContext context, IRequest<TResponse> request, ApiRoute route)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(route);
        var mediator = context.RequestServices.GetRequiredService<IMediator>();
        var response = await mediator.Send(request, context.RequestAborted);
        await WriteAsync(context, response, route.Status);
    }

    /// <summary>Writes a JSON response (204 for <see cref="Unit"/>), adding headers from <see cref="IHasResponseHeaders"/>.</summary>
    public static async Task WriteAsync(HttpContext context, object? response, int status)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (response is null or Unit)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (response is IHasResponseHeaders headers)
        {
            foreach (var (name, value) in headers.ResponseHeaders())
            {
                context.Response.Headers.Append(name, value);
            }
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, response, response.GetType(), ApiJson.Options, context.RequestAborted);
    }

    private void Map(string method, string pattern, ApiRoute route, Type? body, Type? response, RequestDelegate handler)
    {
        var scope = route.Scope ?? (method == "GET" ? ApiScope.Read : ApiScope.Admin);
        _endpoints.ServiceProvider.GetRequiredService<ApiCatalog>().Describe(new ApiRouteDescription(method, pattern, Tag, route, scope, body, response == typeof(Unit) ? null : response));
        var builder = _endpoints.MapMethods(pattern, [method], handler);
        builder.WithMetadata(new ApiScopeMetadata(scope));
    }
}

/// <summary>
/// Turns a whole JSON request body (UTF-8) into a route's body type; returns null for a JSON <c>null</c> body (answered
/// 400 <c>empty_body</c>) and throws <see cref="JsonException"/> for anything else it cannot read, with
/// <see cref="JsonException.Path"/> (<c>$.events[3].quantity</c>) naming where.
/// </summary>
/// <typeparam name="TBody">The route's body type.</typeparam>
public delegate TBody? JsonBodyParser<TBody>(ReadOnlySpan<byte> utf8)
    where TBody : class;

/// <summary>Entry point of a module's route declarations.</summary>
public static class ApiEndpointsExtensions
{
    /// <summary>
    /// The route declarer for one module, used inside <see cref="ICarterModule.AddRoutes"/>:
    /// <c>var api = app.MapApi("Referrals"); api.Get(...);</c>.
    /// </summary>
    public static ApiEndpoints MapApi(this IEndpointRouteBuilder endpoints, string tag) => new(endpoints, tag);
}

/// <summary>Helpers to read route values and query parameters.</summary>
public static class HttpContextExtensions
{
    /// <summary>A route value as a string ("" when absent).</summary>
    public static string Route(this HttpContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.RouteValues.TryGetValue(name, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "" : "";
    }

    /// <summary>A query parameter (null when absent; the first value when repeated).</summary>
    public static string? Query(this HttpContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.Query.TryGetValue(name, out var values) ? values.ToString() : null;
    }
}
