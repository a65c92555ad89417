using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Monetization.BuildingBlocks.Http;

namespace Monetization.TestKit;

/// <summary>
/// Records, for every API route (method + route pattern, as declared in <see cref="ApiCatalog"/>), the first successful
/// (2xx) JSON answer the Host gave while a test ran, so a contract test can snapshot one success answer per route
/// (issue 15). Installed as a startup filter in front of the Host's pipeline: <c>factory.WithServices(s =&gt;
/// s.AddSingleton&lt;IStartupFilter&gt;(recorder))</c>. Answers that are not JSON (204, pages) are recorded as null.
/// </summary>
public sealed partial class ContractRecorder : IStartupFilter
{
    private readonly ConcurrentDictionary<string, JsonNode?> _answers = new(StringComparer.Ordinal);

    /// <summary>The first success answer per route, keyed <c>"METHOD /pattern"</c> (route constraints removed).</summary>
    public IReadOnlyDictionary<string, JsonNode?> Answers => _answers;

    /// <inheritdoc />
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(RecordAsync);
        next(app);
    };

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        var original = context.Response.Body;
        using var copy = new MemoryStream();
        context.Response.Body = new TeeStream(original, copy);
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        if (context.GetEndpoint() is not RouteEndpoint endpoint || endpoint.Metadata.GetMetadata<ApiScopeMetadata>() is null
            || context.Response.StatusCode is < 200 or > 299)
        {
            return;
        }

        var key = $"{context.Request.Method} {Constraint().Replace(endpoint.RoutePattern.RawText ?? "", "{$1}")}";
        if (_answers.ContainsKey(key))
        {
            return;
        }

        JsonNode? body = null;
        if (context.Response.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true && copy.Length > 0)
        {
            body = JsonNode.Parse(copy.ToArray());
        }

        _answers.TryAdd(key, body);
    }

    [GeneratedRegex(@"\{(\w+):[^}]+\}")]
    private static partial Regex Constraint();

    /// <summary>Writes through to the real response and keeps a copy.</summary>
    private sealed class TeeStream(Stream inner, Stream copy) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            copy.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            copy.Write(buffer.Span);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
