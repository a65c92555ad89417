using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Plugins;

/// <summary>
/// POST /v1/marketplace/plugins/{id}/archive: hides the plugin from the catalog and refuses new installs; existing
/// installs keep working and billing (revenue keeps being shared). Archiving twice is a no-op.
/// </summary>
internal static class ArchivePlugin
{
    internal sealed record Request(string PluginId) : IRequest<PluginResponse>;

    internal sealed class Handler(MarketplaceDbContext db, TimeProvider clock) : IRequestHandler<Request, PluginResponse>
    {
        public async Task<PluginResponse> Handle(Request request, CancellationToken cancellationToken)
        {
            var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == request.PluginId, cancellationToken)
                ?? throw ProblemException.NotFound("Plugin", request.PluginId);
            if (plugin.Status != PluginStatuses.Archived)
            {
                plugin.Status = PluginStatuses.Archived;
                plugin.UpdatedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
            }

            return PluginResponse.From(plugin);
        }
    }
}
