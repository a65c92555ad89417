using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Developers;

/// <summary>POST /v1/marketplace/developers: registers a developer with a revenue share (default <c>Marketplace:DeveloperShareBps</c>).</summary>
internal static class RegisterDeveloper
{
    internal sealed record Request(string? DeveloperId, string? Name, string? Email, int? RevenueShareBps) : IRequest<DeveloperResponse>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.DeveloperId).MustBeExternalId("developer_id");
            RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
            RuleFor(r => r.Email).NotEmpty().MaximumLength(254).EmailAddress();
            RuleFor(r => r.RevenueShareBps).InclusiveBetween(0, 10_000).When(r => r.RevenueShareBps is not null);
        }
    }

    internal sealed class Handler(MarketplaceDbContext db, TimeProvider clock, IOptions<MarketplaceOptions> options) : IRequestHandler<Request, DeveloperResponse>
    {
        public async Task<DeveloperResponse> Handle(Request request, CancellationToken cancellationToken)
        {
            if (await db.Developers.AnyAsync(d => d.Id == request.DeveloperId, cancellationToken))
            {
                throw ProblemException.Conflict("developer_exists", $"Developer '{request.DeveloperId}' is already registered.");
            }

            var developer = new Developer
            {
                Id = request.DeveloperId!,
                Name = request.Name!.Trim(),
                Email = request.Email!.Trim(),
                RevenueShareBps = request.RevenueShareBps ?? options.Value.DeveloperShareBps,
                CreatedAt = clock.GetUtcNow(),
            };
            db.Developers.Add(developer);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                throw ProblemException.Conflict("developer_exists", $"Developer '{request.DeveloperId}' is already registered.");
            }

            return DeveloperResponse.From(developer);
        }
    }
}
