using StripeNet = Stripe;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Installs;

/// <summary>
/// POST /v1/marketplace/plugins/{id}/installs: installs a plugin for a user.
/// <list type="bullet">
/// <item>free: <c>active</c> at once, with a zero-amount revenue event for analytics (source = install id);</item>
/// <item>one_time: <c>pending_payment</c> with a payment-mode Checkout Session (<c>metadata[purpose]=marketplace.plugin</c>,
/// <c>[plugin_id]</c>, <c>[install_id]</c>); <c>active</c> on <c>CheckoutCompleted</c>. Installing again while the
/// checkout is open returns the same install with a new session;</item>
/// <item>monthly: when the user is paying, a prorated item on their Stripe subscription and <c>active</c>; otherwise
/// <c>pending</c> until their first payment (<c>FirstPaidTransition</c>) makes it billable;</item>
/// <item>usage: <c>active</c>; billed from <c>UsageCharged</c>.</item>
/// </list>
/// One live install per plugin and user (409 <c>already_installed</c>); archived plugins refuse installs (409).
/// The install row is written before any Stripe call, so concurrent requests cannot create two subscription items.
/// </summary>
internal static class InstallPlugin
{
    internal sealed record Body(string? UserId);

    internal sealed record Request(string PluginId, string? UserId) : IRequest<InstallResponse>;

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() =>
            RuleFor(r => r.UserId).MustBeUserId();
    }

    internal sealed class Handler(
        MarketplaceDbContext db,
        TimeProvider clock,
        IOptions<MarketplaceOptions> options,
        RevenueLedger ledger,
        MonthlyInstallBilling monthly,
        IServiceProvider services) : IRequestHandler<Request, InstallResponse>
    {
        public async Task<InstallResponse> Handle(Request request, CancellationToken cancellationToken)
        {
            var plugin = await db.Plugins.SingleOrDefaultAsync(p => p.Id == request.PluginId, cancellationToken)
                ?? throw ProblemException.NotFound("Plugin", request.PluginId);
            var userId = request.UserId!;
            var existing = await db.Installs.SingleOrDefaultAsync(i => i.PluginId == plugin.Id && i.UserId == userId && i.UninstalledAt == null, cancellationToken);
            if (existing is { Status: InstallStatuses.PendingPayment })
            {
                await StartCheckoutAsync(existing, plugin, cancellationToken); // a Stripe failure changes nothing and answers 503/502

                await db.SaveChangesAsync(cancellationToken);
                return InstallResponse.From(existing);
            }

            if (existing is not null)
            {
                throw ProblemException.Conflict("already_installed", $"User '{userId}' already has plugin '{plugin.Id}' ({existing.Status}).",
                    new Dictionary<string, object?> { ["install_id"] = existing.Id, ["install_status"] = existing.Status });
            }

            if (plugin.Status == PluginStatuses.Archived)
            {
                throw ProblemException.Conflict("plugin_archived", $"Plugin '{plugin.Id}' is archived and cannot be installed.");
            }

            var now = clock.GetUtcNow();
            var install = new Install
            {
                Id = PrefixedId.New("ins"),
                PluginId = plugin.Id,
                DeveloperId = plugin.DeveloperId,
                UserId = userId,
                PricingModel = plugin.PricingModel,
                Status = plugin.PricingModel switch
                {
                    PricingModels.OneTime => InstallStatuses.PendingPayment,
                    PricingModels.Monthly => InstallStatuses.Pending,
                    _ => InstallStatuses.Active,
                },
                CreatedAt = now,
                ActivatedAt = plugin.PricingModel is PricingModels.Free or PricingModels.Usage ? now : null,
            };

            await using (var transaction = await db.BeginWriteTransactionAsync(cancellationToken))
            {
                db.Installs.Add(install);
                if (install.Status == InstallStatuses.Active)
                {
                    await ledger.CountInstallAsync(plugin, now, +1, cancellationToken);
                    if (plugin.PricingModel == PricingModels.Free)
                    {
                        await ledger.RecordAsync(
                            new RevenueSource($"install:{install.Id}", RevenueKinds.FreeInstall, plugin, 0, options.Value.DefaultCurrency, now)
                            {
                                InstallId = install.Id,
                                UserId = userId,
                            },
                            cancellationToken);
                    }
                }

                db.AddIntegrationEvent(new PluginInstalled(IntegrationEventIds.New(now), now, install.Id, plugin.Id, plugin.DeveloperId, userId, plugin.PricingModel, install.Status));
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
                catch (DbUpdateException)
                {
                    throw ProblemException.Conflict("already_installed", $"User '{userId}' already has plugin '{plugin.Id}'.");
                }

                await transaction.CommitAsync(cancellationToken);
            }

            if (plugin.PricingModel == PricingModels.OneTime)
            {
                await WithStripeOrRollbackAsync(install, plugin, () => StartCheckoutAsync(install, plugin, cancellationToken), cancellationToken);
            }
            else if (plugin.PricingModel == PricingModels.Monthly
                && await db.Subscribers.AsNoTracking().SingleOrDefaultAsync(s => s.UserId == userId, cancellationToken) is { IsPaying: true } subscriber)
            {
                await WithStripeOrRollbackAsync(install, plugin, () => monthly.AttachAsync(install, plugin, subscriber.StripeSubscriptionId!, cancellationToken), cancellationToken);
            }

            return InstallResponse.From(install);
        }

        private async Task WithStripeOrRollbackAsync(Install install, Plugin plugin, Func<Task> call, CancellationToken ct)
        {
            try
            {
                await call();
                await db.SaveChangesAsync(ct);
            }
            catch (StripeNet.StripeException)
            {
                // Nothing was billed: take the install back so the user can try again.
                db.ChangeTracker.Clear();
                var now = clock.GetUtcNow();
                await db.Installs.Where(i => i.Id == install.Id).ExecuteUpdateAsync(
                    s => s.SetProperty(i => i.Status, InstallStatuses.Uninstalled).SetProperty(i => i.UninstalledAt, now), ct);
                db.AddIntegrationEvent(new PluginUninstalled(IntegrationEventIds.New(now), now, install.Id, plugin.Id, install.UserId));
                await db.SaveChangesAsync(ct);
                throw; // answered 503/502 by the one Stripe rule (StripeFailureProblems)
            }
        }

        private async Task StartCheckoutAsync(Install install, Plugin plugin, CancellationToken ct)
        {
            var stripe = services.GetRequiredService<StripeNet.StripeClient>();
            var customerId = await db.Subscribers.AsNoTracking().Where(s => s.UserId == install.UserId).Select(s => s.StripeCustomerId).SingleOrDefaultAsync(ct);
            var metadata = new Dictionary<string, string>
            {
                ["purpose"] = CheckoutPurposes.MarketplacePlugin,
                ["plugin_id"] = plugin.Id,
                ["install_id"] = install.Id,
                ["user_id"] = install.UserId,
                ["developer_id"] = plugin.DeveloperId,
            };
            var attempt = install.CheckoutSessionId is null ? 0 : clock.GetUtcNow().UtcTicks;
            var session = await stripe.V1.Checkout.Sessions.CreateAsync(
                new StripeNet.Checkout.SessionCreateOptions
                {
                    Mode = "payment",
                    Customer = customerId,
                    ClientReferenceId = install.UserId,
                    LineItems = [new StripeNet.Checkout.SessionLineItemOptions { Price = plugin.StripePriceId, Quantity = 1 }],
                    Metadata = metadata,
                    PaymentIntentData = new StripeNet.Checkout.SessionPaymentIntentDataOptions { Metadata = metadata },
                    SuccessUrl = options.Value.CheckoutSuccessUrl,
                    CancelUrl = options.Value.CheckoutCancelUrl,
                },
                new StripeNet.RequestOptions { IdempotencyKey = $"marketplace:install:{install.Id}:checkout:{attempt}" },
                ct);
            install.CheckoutSessionId = session.Id;
            install.CheckoutUrl = session.Url;
        }
    }
}
