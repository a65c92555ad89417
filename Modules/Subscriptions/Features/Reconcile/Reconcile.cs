using StripeNet = Stripe;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.Subscriptions.Data;
using Monetization.Subscriptions.Domain;
using Monetization.Subscriptions.Features.HandleStripeEvents;

namespace Monetization.Subscriptions.Features.Reconcile;

/// <summary>
/// <c>POST /v1/subscriptions/reconcile</c> (admin; also run every <c>Subscriptions:ReconcileIntervalMinutes</c>): re-fetches every
/// non-final subscription from Stripe, applies Stripe's state where ours drifted (missed or failed webhooks), publishes
/// <c>SubscriptionChanged</c> where access changed, and reports each change.
/// </summary>
internal static class Reconcile
{
    internal sealed record Request : IRequest<Response>;

    /// <summary>What was checked and repaired.</summary>
    internal sealed record Response(int Checked, int Changed, int Failed, IReadOnlyList<Change> Changes, IReadOnlyList<Failure> Failures);

    /// <summary>A repaired subscription: each field with its old and new value.</summary>
    internal sealed record Change(string UserId, string StripeSubscriptionId, IReadOnlyDictionary<string, FieldChange> Fields);

    /// <summary>Old and new value of a field.</summary>
    internal sealed record FieldChange(string? From, string? To);

    /// <summary>A subscription that could not be fetched.</summary>
    internal sealed record Failure(string UserId, string StripeSubscriptionId, string Error);

    internal sealed class Handler(SubscriptionsDbContext db, SubscriptionEvents subscriptions, PlanCatalog catalog, StripeNet.StripeClient stripe, TimeProvider clock)
        : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var targets = await db.Accounts.AsNoTracking()
                .Where(a => a.StripeSubscriptionId != null && a.Status != SubscriptionStatuses.Canceled && a.Status != SubscriptionStatuses.IncompleteExpired)
                .OrderBy(a => a.UserId).Select(a => new { a.UserId, a.StripeSubscriptionId }).ToListAsync(cancellationToken);
            var changes = new List<Change>();
            var failures = new List<Failure>();
            foreach (var target in targets)
            {
                StripeNet.Subscription sub;
                try
                {
                    sub = await stripe.V1.Subscriptions.GetAsync(target.StripeSubscriptionId!, cancellationToken: cancellationToken);
                }
                catch (StripeNet.StripeException e)
                {
                    failures.Add(new Failure(target.UserId, target.StripeSubscriptionId!, e.Message));
                    continue;
                }

                db.ChangeTracker.Clear();
                await using var tx = await db.BeginWriteTransactionAsync(cancellationToken);
                var account = await db.Accounts.FirstAsync(a => a.UserId == target.UserId, cancellationToken);
                if (account.StripeSubscriptionId != target.StripeSubscriptionId)
                {
                    continue; // replaced meanwhile by a webhook
                }

                var before = Snapshot(account);
                subscriptions.ApplySubscription(account, sub, clock.GetUtcNow(), forced: true);
                AccessCalculator.PublishIfChanged(db, account, catalog, clock.GetUtcNow());
                var after = Snapshot(account);
                var fields = before.Keys.Where(k => before[k] != after[k]).ToDictionary(k => k, k => new FieldChange(before[k], after[k]));
                await db.SaveChangesAsync(cancellationToken);
                await tx.CommitAsync(cancellationToken);
                if (fields.Count > 0)
                {
                    changes.Add(new Change(target.UserId, target.StripeSubscriptionId!, fields));
                }
            }

            db.ChangeTracker.Clear();
            return new Response(targets.Count, changes.Count, failures.Count, changes, failures);
        }

        private static Dictionary<string, string?> Snapshot(BillingAccount a) => new(StringComparer.Ordinal)
        {
            ["status"] = a.Status,
            ["plan"] = a.Plan,
            ["cadence"] = a.Cadence,
            ["current_period_end"] = a.CurrentPeriodEnd?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["trial_end"] = a.TrialEnd?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["cancel_at_period_end"] = a.CancelAtPeriodEnd ? "true" : "false",
            ["grace_period_end"] = a.GracePeriodEnd?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
