using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.Webhooks.Data;

namespace Monetization.Webhooks.Domain;

/// <summary>
/// Which public event types some enabled endpoint receives, read from the database at most every
/// <see cref="TimeToLive"/> and dropped by every endpoint change of this Host. Consumers ask it before they open a
/// transaction, so with no endpoint (or none for a type) an integration event costs the Webhooks module no write at all;
/// an endpoint created on another Host is seen within <see cref="TimeToLive"/>.
/// </summary>
internal sealed class EndpointDirectory(IServiceScopeFactory scopes)
{
    /// <summary>How long a read of the endpoints is reused.</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(5);

    private volatile Snapshot? _snapshot;

    /// <summary>Whether an enabled endpoint receives any of <paramref name="types"/>.</summary>
    public async ValueTask<bool> AnySubscribedAsync(IReadOnlyCollection<string> types, CancellationToken ct)
    {
        var snapshot = _snapshot;
        if (snapshot is null || Environment.TickCount64 - snapshot.ReadAt > (long)TimeToLive.TotalMilliseconds)
        {
            snapshot = await ReadAsync(ct);
            _snapshot = snapshot;
        }

        return snapshot.All || types.Any(snapshot.Types.Contains);
    }

    /// <summary>Forgets the cached read (an endpoint was created, changed or deleted).</summary>
    public void Invalidate() => _snapshot = null;

    private async Task<Snapshot> ReadAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WebhooksDbContext>();
        var lists = await db.Endpoints.AsNoTracking().Where(e => e.Enabled).Select(e => e.EventTypes).ToListAsync(ct);
        var types = lists.SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        return new Snapshot(Environment.TickCount64, types.Contains(WebhookEventTypes.All), types);
    }

    private sealed record Snapshot(long ReadAt, bool All, HashSet<string> Types);
}
