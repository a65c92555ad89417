using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Data;

namespace Monetization.Marketplace.Features.Plugins;

/// <summary>GET /v1/marketplace/plugins/{id} (archived plugins too).</summary>
internal static class GetPlugin
{
    internal sealed record Request(string PluginId) : IRequest<PluginResponse>;

    internal sealed class Handler(MarketplaceDbContext db) : IRequestHandler<Request, PluginResponse>
    {
        public async Task<PluginResponse> Handle(Request request, CancellationToken cancellationToken)
        {
            var plugin = await db.Plugins.AsNoTracking().SingleOrDefaultAsync(p => p.Id == request.PluginId, cancellationToken)
                ?? throw ProblemException.NotFound("Plugin", request.PluginId);
            return PluginResponse.From(plugin);
        }
    }
}
