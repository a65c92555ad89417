using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Data;

namespace Monetization.Marketplace.Features.Developers;

/// <summary>GET /v1/marketplace/developers/{id}.</summary>
internal static class GetDeveloper
{
    internal sealed record Request(string DeveloperId) : IRequest<DeveloperResponse>;

    internal sealed class Handler(MarketplaceDbContext db) : IRequestHandler<Request, DeveloperResponse>
    {
        public async Task<DeveloperResponse> Handle(Request request, CancellationToken cancellationToken)
        {
            var developer = await db.Developers.AsNoTracking().SingleOrDefaultAsync(d => d.Id == request.DeveloperId, cancellationToken)
                ?? throw ProblemException.NotFound("Developer", request.DeveloperId);
            return DeveloperResponse.From(developer);
        }
    }
}
