using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace Monetization.StripeEmulator;

/// <summary>
/// Serves an <see cref="HttpRequestMessage"/> by running an ASP.NET Core pipeline in process (no sockets):
/// used to point a Stripe client at the emulator, and to deliver the emulator's webhooks into the host's own pipeline.
/// </summary>
public sealed class InProcessHttpMessageHandler : HttpMessageHandler
{
    private readonly RequestDelegate _pipeline;
    private readonly IServiceProvider _services;

    /// <summary>Creates a handler that invokes <paramref name="pipeline"/> with request services from a new scope of <paramref name="services"/>.</summary>
    /// <param name="pipeline">The request delegate to run (e.g. the emulator's <c>HandleAsync</c> or the host's built pipeline).</param>
    /// <param name="services">The root service provider a request scope is created from.</param>
    public InProcessHttpMessageHandler(RequestDelegate pipeline, IServiceProvider services)
    {
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        await using var scope = _services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        var responseBody = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(responseBody));
        context.Response.Body = responseBody;

        var httpRequest = context.Request;
        httpRequest.Method = request.Method.Method;
        httpRequest.Scheme = uri.Scheme;
        httpRequest.Host = uri.IsDefaultPort ? new HostString(uri.Host) : new HostString(uri.Host, uri.Port);
        httpRequest.PathBase = PathString.Empty;
        httpRequest.Path = PathString.FromUriComponent(uri);
        httpRequest.QueryString = QueryString.FromUriComponent(uri);
        httpRequest.Protocol = "HTTP/1.1";
        foreach (var header in request.Headers)
        {
            httpRequest.Headers[header.Key] = new StringValues(header.Value.ToArray());
        }

        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers)
            {
                httpRequest.Headers[header.Key] = new StringValues(header.Value.ToArray());
            }

            var body = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            httpRequest.Body = new MemoryStream(body);
            httpRequest.ContentLength = body.Length;
        }
        else
        {
            httpRequest.Body = Stream.Null;
        }

        context.RequestAborted = cancellationToken;
        await _pipeline(context).ConfigureAwait(false);
        await context.Response.CompleteAsync().ConfigureAwait(false);

        var response = new HttpResponseMessage((System.Net.HttpStatusCode)context.Response.StatusCode)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(responseBody.ToArray()),
        };
        foreach (var header in context.Response.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value))
            {
                response.Content.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }

        return response;
    }
}
