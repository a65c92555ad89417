using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Plugins;

/// <summary>
/// GET /v1/marketplace/plugins: the catalog. Filters: <c>q</c> (text in name, slug or description, case-insensitive),
/// <c>developer_id</c>, <c>model</c>, <c>status</c> (<c>active</c> by default, <c>archived</c>, <c>all</c>). Sorted by
/// <c>sort=installs</c> (most live installs first, the default) or <c>sort=name</c>; ties by id. Cursor pagination as
/// Stripe does it: <c>limit</c> (1–100, default 20) and <c>starting_after</c> (the last plugin id of the previous page).
/// </summary>
internal static class ListPlugins
{
    internal sealed record Request(string? Q, string? DeveloperId, string? Model, string? Status, string? Sort, string? Limit, string? StartingAfter)
        : IRequest<Response>;

    /// <summary>A page of plugins.</summary>
    /// <param name="Object">Always <c>list</c>.</param>
    /// <param name="Data">The plugins on this page.</param>
    /// <param name="HasMore">Whether another page follows (pass the last id as <c>starting_after</c>).</param>
    internal sealed record Response(string Object, IReadOnlyList<PluginResponse> Data, bool HasMore);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Q).MaximumLength(200);
            RuleFor(r => r.DeveloperId).Must(UserIds.IsValid).When(r => r.DeveloperId is not null).WithMessage("developer_id " + UserIds.Rule + ".");
            RuleFor(r => r.Model).Must(m => PricingModels.All.Contains(m!)).When(r => r.Model is not null)
                .WithMessage("model is one of free, one_time, monthly, usage.");
            RuleFor(r => r.Status).Must(s => s is PluginStatuses.Active or PluginStatuses.Archived or "all").When(r => r.Status is not null)
                .WithMessage("status is one of active, archived, all.");
            RuleFor(r => r.Sort).Must(s => s is "installs" or "name").When(r => r.Sort is not null).WithMessage("sort is 'installs' or 'name'.");
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(MarketplaceDbContext db) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var limit = Paging.LimitOf(request.Limit);
            var query = db.Plugins.AsNoTracking();
            var status = request.Status ?? PluginStatuses.Active;
            if (status != "all")
            {
                query = query.Where(p => p.Status == status);
            }

            if (request.DeveloperId is not null)
            {
                query = query.Where(p => p.DeveloperId == request.DeveloperId);
            }

            if (request.Model is not null)
            {
                query = query.Where(p => p.PricingModel == request.Model);
            }

            if (!string.IsNullOrWhiteSpace(request.Q))
            {
                // Case-insensitive on either provider: both sides in lower case (SQLite's LIKE ignores ASCII case, PostgreSQL's does not).
                var pattern = "%" + request.Q.Trim().ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal)
                    .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
                query = query.Where(p => EF.Functions.Like(p.Name.ToLower(), pattern, "\\") || EF.Functions.Like(p.Slug.ToLower(), pattern, "\\")
                    || EF.Functions.Like(p.Description.ToLower(), pattern, "\\"));
            }

            var byName = request.Sort == "name";
            if (request.StartingAfter is not null)
            {
                var cursor = await db.Plugins.AsNoTracking().Where(p => p.Id == request.StartingAfter)
                    .Select(p => new { p.Id, p.Name, p.InstallCount }).SingleOrDefaultAsync(cancellationToken)
                    ?? throw Paging.UnknownCursor("Plugin", request.StartingAfter);
                query = byName
                    ? query.Where(p => string.Compare(p.Name, cursor.Name) > 0 || (p.Name == cursor.Name && string.Compare(p.Id, cursor.Id) > 0))
                    : query.Where(p => p.InstallCount < cursor.InstallCount || (p.InstallCount == cursor.InstallCount && string.Compare(p.Id, cursor.Id) > 0));
            }

            query = byName ? query.OrderBy(p => p.Name).ThenBy(p => p.Id) : query.OrderByDescending(p => p.InstallCount).ThenBy(p => p.Id);
            var page = (await query.ToPageAsync(limit, cancellationToken)).Select(PluginResponse.From);
            return new Response("list", page.Data, page.HasMore);
        }
    }
}
