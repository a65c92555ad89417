using StripeNet = Stripe;
using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monetization.BuildingBlocks.Http;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Installs;

/// <summary>
/// DELETE /v1/marketplace/plugins/{id}/installs/{user_id}: uninstalls. A billable monthly install's subscription item is
/// deleted first (prorated, <c>proration_behavior=create_prorations</c>: the unused time comes back as a credit line on
/// the next invoice, which becomes a negative revenue event); an item Stripe no longer has is treated as deleted. A
/// one-time purchase is not refunded by uninstalling. Publishes <c>PluginUninstalled</c>.
/// </summary>
internal static class UninstallPlugin
{
    internal sealed record Request(string PluginId, string UserId) : IRequest<InstallResponse>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() =>
            RuleFor(r => r.UserId).MustBeUserId();
    }

    internal sealed class Handler(MarketplaceDbContext db, TimeProvider clock, RevenueLedger ledger, IServiceProvider services)
        : IRequestHandler<Request, InstallResponse>
    {
        public async Task<InstallResponse> Handle(Request request, CancellationToken cancellationToken)
        {
            var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == request.PluginId, cancellationToken)
                ?? throw ProblemException.NotFound("Plugin", request.PluginId);
            var install = await db.Installs.SingleOrDefaultAsync(i => i.PluginId == plugin.Id && i.UserId == request.UserId && i.UninstalledAt == null, cancellationToken)
                ?? throw ProblemException.NotFound("Install of plugin for user", $"{plugin.Id}/{request.UserId}");

            if (install.StripeSubscriptionItemId is { } itemId)
            {
                try
                {
                    await services.GetRequiredService<StripeNet.StripeClient>().V1.SubscriptionItems.DeleteAsync(
                        itemId, new StripeNet.SubscriptionItemDeleteOptions { ProrationBehavior = "create_prorations" }, cancellationToken: cancellationToken);
                }
                catch (StripeNet.StripeException e) when (e.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    // Already gone (the subscription ended or the item was removed in the Dashboard). Any other Stripe
                    // failure changes nothing here and answers 503/502 by the one Stripe rule.
                }
            }

            var now = clock.GetUtcNow();
            await using var transaction = await db.BeginWriteTransactionAsync(cancellationToken);
            if (install.Status == InstallStatuses.Active)
            {
                await ledger.CountInstallAsync(plugin, now, -1, cancellationToken);
            }

            install.Status = InstallStatuses.Uninstalled;
            install.UninstalledAt = now;
            db.AddIntegrationEvent(new PluginUninstalled(IntegrationEventIds.New(now), now, install.Id, plugin.Id, install.UserId));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return InstallResponse.From(install);
        }
    }
}
