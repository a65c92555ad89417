using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Data;

namespace Monetization.BuildingBlocks.Http;

/// <summary>
/// <c>Idempotency-Key</c> on POST routes, as Stripe's API does it: the first request's response is stored (per API key
/// and idempotency key) for 24 hours; the same key with the same method, path and body replays it with
/// <c>Idempotent-Replayed: true</c>; the same key with a different request is 422; while the first is still running a
/// retry gets 409. Server errors (5xx) and invalid requests (400/413/422/429) are not stored, so the caller may retry them.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, TimeProvider clock)
{
    /// <summary>How long a stored response is replayed.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>Applies idempotency to POSTs that carry the header.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        if (!HttpMethods.IsPost(context.Request.Method) || string.IsNullOrEmpty(key) || context.GetEndpoint() is null)
        {
            await next(context);
            return;
        }

        if (key.Length > 255)
        {
            await Problems.WriteAsync(context, ProblemException.Invalid("Idempotency-Key", "An idempotency key is at most 255 characters."));
            return;
        }

        var principal = context.Items[ApiKeyMiddleware.ItemKey] as string ?? "anonymous";
        var target = $"{context.Request.Method} {context.Request.Path}";
        context.Request.EnableBuffering();
        var requestHash = await HashAsync(context.Request, target);
        var db = context.RequestServices.GetRequiredService<PlatformDbContext>();
        var now = clock.GetUtcNow();

        var existing = await db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(r => r.Principal == principal && r.Key == key, context.RequestAborted);
        if (existing is not null && existing.CreatedAtTicks < (now - Retention).UtcTicks)
        {
            await db.IdempotencyRecords.Where(r => r.Principal == principal && r.Key == key).ExecuteDeleteAsync(context.RequestAborted);
            existing = null;
        }

        if (existing is null)
        {
            db.IdempotencyRecords.Add(new IdempotencyRecord { Principal = principal, Key = key, Target = target, RequestHash = requestHash, CreatedAtTicks = now.UtcTicks });
            try
            {
                await db.SaveChangesAsync(context.RequestAborted);
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
                existing = await db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.Principal == principal && r.Key == key, context.RequestAborted);
            }
        }

        if (existing is not null)
        {
            await AnswerFromRecordAsync(context, existing, requestHash);
            return;
        }

        await RunAndStoreAsync(context, db, principal, key);
    }

    private static async Task AnswerFromRecordAsync(HttpContext context, IdempotencyRecord record, string requestHash)
    {
        if (!string.Equals(record.RequestHash, requestHash, StringComparison.Ordinal))
        {
            await Problems.WriteAsync(context, new ProblemException(422, "Idempotency key reused",
                $"Idempotency-Key was first used for a different request ({record.Target}); use a new key for a new request.", "idempotency_key_reused"));
            return;
        }

        if (record.Status is null)
        {
            await Problems.WriteAsync(context, ProblemException.Conflict("idempotency_key_in_use", "A request with this Idempotency-Key is still being processed; retry later."));
            return;
        }

        context.Response.StatusCode = record.Status.Value;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (record.ContentType is not null)
        {
            context.Response.ContentType = record.ContentType;
        }

        if (record.Body is { Length: > 0 })
        {
            await context.Response.Body.WriteAsync(record.Body, context.RequestAborted);
        }
    }

    private async Task RunAndStoreAsync(HttpContext context, PlatformDbContext db, string principal, string key)
    {
        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        var stored = false;
        try
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (ProblemDetailsMiddleware.ToProblem(e, context.RequestServices) is { Status: >= 400 and < 500 and not (400 or 413 or 422 or 429) } problem)
            {
                // A business answer (404, 409, …) is part of the request's outcome and is stored like a success.
                // Unreadable or invalid parameters (400/422) are not: as with Stripe, fixing them may reuse the key.
                context.Response.Clear();
                await Problems.WriteAsync(context, problem);
            }

            if (context.Response.StatusCode is < 500 and not (400 or 413 or 422 or 429))
            {
                await db.IdempotencyRecords.Where(r => r.Principal == principal && r.Key == key).ExecuteUpdateAsync(
                    s => s.SetProperty(r => r.Status, context.Response.StatusCode)
                        .SetProperty(r => r.ContentType, context.Response.ContentType)
                        .SetProperty(r => r.Body, buffer.ToArray()),
                    CancellationToken.None);
                stored = true;
            }
        }
        finally
        {
            if (!stored)
            {
                await db.IdempotencyRecords.Where(r => r.Principal == principal && r.Key == key && r.Status == null).ExecuteDeleteAsync(CancellationToken.None);
            }

            context.Response.Body = original;
            buffer.Position = 0;
            await buffer.CopyToAsync(original, CancellationToken.None);
        }
    }

    private static async Task<string> HashAsync(HttpRequest request, string target)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(target + "\n"));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            hash.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
