using StripeNet = Stripe;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.IntegrationEvents;
using Monetization.IntegrationEvents.Marketplace;
using Monetization.Marketplace.Data;
using Monetization.Marketplace.Domain;

namespace Monetization.Marketplace.Features.Payouts;

/// <summary>
/// POST /v1/marketplace/payouts <c>{period}</c> (admin; also run monthly by <see cref="PayoutScheduler"/>): pays developers.
/// <para>1. Claim. Per developer and currency, in one transaction: the unsettled developer share of events of the period
/// or earlier that are past the hold, plus every debt (refunds and credits, which are never held). When the developer's
/// payouts are enabled (<c>ConnectedAccountUpdated.PayoutsEnabled</c>) and the sum is at least
/// <c>Marketplace:MinimumPayout</c>, a <see cref="Payout"/> is created (unique per developer, period and currency) and
/// those events are claimed by it. Otherwise nothing changes and the balance accumulates.</para>
/// <para>2. Transfer. Each pending payout of the period or earlier is leased by one run at a time, then sent as one Stripe
/// transfer with the idempotency key <c>payout:{developer}:{period}:{currency}</c> and a fixed amount. On success the
/// payout and its events are marked paid with the transfer id and <c>PayoutSent</c> is published, once. On a Stripe
/// failure nothing is marked: the payout stays pending with the error and the next run retries the same transfer.</para>
/// A repeated or concurrent run therefore pays once.
/// </summary>
internal static class RunPayouts
{
    internal sealed record Request(string? Period) : IRequest<Response>;

    /// <summary>A developer and currency not paid by this run.</summary>
    /// <param name="DeveloperId">Developer.</param>
    /// <param name="Currency">ISO 4217.</param>
    /// <param name="Payable">Payable balance found, minor units (may be negative: a debt carried forward).</param>
    /// <param name="Reason"><c>payouts_not_enabled</c>, <c>below_minimum</c> or <c>period_already_paid</c>.</param>
    internal sealed record Skipped(string DeveloperId, string Currency, long Payable, string Reason);

    /// <summary>The run's outcome.</summary>
    /// <param name="Period">Period paid.</param>
    /// <param name="Payouts">Payouts this run created or retried, after the run (<c>paid</c>, or <c>pending</c> with the error).</param>
    /// <param name="Skipped">Balances not paid, and why.</param>
    /// <param name="Failed">Payouts whose transfer failed in this run.</param>
    /// <param name="InProgress">Payouts another run was sending at the time.</param>
    internal sealed record Response(string Period, IReadOnlyList<PayoutResponse> Payouts, IReadOnlyList<Skipped> Skipped, int Failed, int InProgress);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator(TimeProvider clock) =>
            RuleFor(r => r.Period).NotEmpty()
                .Must(p => BillingPeriod.TryParse(p, out _)).WithMessage("period is YYYY-MM (e.g. 2026-10).")
                .Must(p => !BillingPeriod.TryParse(p, out var period) || period <= BillingPeriod.Containing(clock.GetUtcNow()))
                .WithMessage("period cannot be in the future.");
    }

    internal sealed class Handler(
        MarketplaceDbContext db,
        TimeProvider clock,
        IOptions<MarketplaceOptions> options,
        RevenueLedger ledger,
        IServiceProvider services) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var period = BillingPeriod.Parse(request.Period!).ToString();
            var skipped = new List<Skipped>();
            var touched = new List<string>();

            var now = clock.GetUtcNow();
            var groups = await Claimable(period, now)
                .GroupBy(e => new { e.DeveloperId, e.Currency })
                .Select(g => new { g.Key.DeveloperId, g.Key.Currency })
                .ToListAsync(cancellationToken);
            foreach (var group in groups.OrderBy(g => g.DeveloperId, StringComparer.Ordinal).ThenBy(g => g.Currency, StringComparer.Ordinal))
            {
                var (payoutId, skip) = await ClaimAsync(group.DeveloperId, group.Currency, period, cancellationToken);
                if (payoutId is not null)
                {
                    touched.Add(payoutId);
                }

                if (skip is not null)
                {
                    skipped.Add(skip);
                }
            }

            var pending = await db.Payouts.AsNoTracking()
                .Where(p => p.Status == PayoutStatuses.Pending && string.Compare(p.Period, period) <= 0)
                .OrderBy(p => p.CreatedAt).Select(p => p.Id).ToListAsync(cancellationToken);
            int failed = 0, inProgress = 0;
            foreach (var payoutId in pending)
            {
                switch (await SendAsync(payoutId, cancellationToken))
                {
                    case SendOutcome.Failed:
                        failed++;
                        break;
                    case SendOutcome.InProgress:
                        inProgress++;
                        break;
                }

                touched.Add(payoutId);
            }

            var ids = touched.Distinct().ToList();
            var payouts = await db.Payouts.AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(cancellationToken);
            return new Response(
                period,
                payouts.OrderBy(p => p.DeveloperId, StringComparer.Ordinal).ThenBy(p => p.Currency, StringComparer.Ordinal).Select(PayoutResponse.From).ToList(),
                skipped,
                failed,
                inProgress);
        }

        /// <summary>
        /// Unsettled events a payout for <paramref name="period"/> takes: earned share past the hold, and debts (except a
        /// refund whose transfer reversal is still being made: it is netted only if Stripe refuses the reversal).
        /// </summary>
        private IQueryable<RevenueEvent> Claimable(string period, DateTimeOffset now) =>
            db.RevenueEvents.Where(e => e.PaidAt == null && e.PayoutId == null && e.DeveloperShare != 0 && e.ReversalCallId == null
                && ((e.DeveloperShare > 0 && string.Compare(e.Period, period) <= 0 && e.AvailableAt <= now)
                    || (e.DeveloperShare < 0 && e.EarnedAt <= now)));

        private async Task<(string? PayoutId, Skipped? Skip)> ClaimAsync(string developerId, string currency, string period, CancellationToken ct)
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.BeginWriteTransactionAsync(ct);
            var now = clock.GetUtcNow();
            var claimable = Claimable(period, now).Where(e => e.DeveloperId == developerId && e.Currency == currency);
            var payable = await claimable.SumAsync(e => e.DeveloperShare, ct);
            var developer = await db.Developers.AsNoTracking().SingleAsync(d => d.Id == developerId, ct);
            var existing = await db.Payouts.AsNoTracking().SingleOrDefaultAsync(p => p.DeveloperId == developerId && p.Period == period && p.Currency == currency, ct);
            if (existing is not null)
            {
                return (existing.Id, payable == 0 ? null : new Skipped(developerId, currency, payable, "period_already_paid"));
            }

            if (!developer.PayoutsEnabled || developer.StripeAccountId is null)
            {
                return (null, new Skipped(developerId, currency, payable, "payouts_not_enabled"));
            }

            if (payable < options.Value.MinimumPayout)
            {
                return (null, new Skipped(developerId, currency, payable, "below_minimum"));
            }

            var payout = new Payout
            {
                Id = PrefixedId.New("po"),
                DeveloperId = developerId,
                Period = period,
                Currency = currency,
                Amount = payable,
                EventCount = await claimable.CountAsync(ct),
                StripeAccountId = developer.StripeAccountId,
                IdempotencyKey = $"payout:{developerId}:{period}:{currency}",
                CreatedAt = now,
            };
            db.Payouts.Add(payout);
            await db.SaveChangesAsync(ct);
            var claimed = await claimable.ExecuteUpdateAsync(s => s.SetProperty(e => e.PayoutId, payout.Id), ct);
            if (claimed != payout.EventCount)
            {
                throw new InvalidOperationException($"Payout {payout.Id} claimed {claimed} events, expected {payout.EventCount}.");
            }

            await transaction.CommitAsync(ct);
            return (payout.Id, null);
        }

        private enum SendOutcome
        {
            Paid,
            Failed,
            InProgress,
        }

        private async Task<SendOutcome> SendAsync(string payoutId, CancellationToken ct)
        {
            db.ChangeTracker.Clear();
            var now = clock.GetUtcNow();
            var leaseUntil = now.AddSeconds(options.Value.PayoutLeaseSeconds);
            var leased = await db.Payouts
                .Where(p => p.Id == payoutId && p.Status == PayoutStatuses.Pending && (p.LeaseUntil == null || p.LeaseUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.LeaseUntil, leaseUntil).SetProperty(p => p.Attempts, p => p.Attempts + 1), ct);
            if (leased == 0)
            {
                return await db.Payouts.AnyAsync(p => p.Id == payoutId && p.Status == PayoutStatuses.Paid, ct) ? SendOutcome.Paid : SendOutcome.InProgress;
            }

            var payout = await db.Payouts.AsNoTracking().SingleAsync(p => p.Id == payoutId, ct);
            StripeNet.Transfer transfer;
            try
            {
                transfer = await services.GetRequiredService<StripeNet.StripeClient>().V1.Transfers.CreateAsync(
                    new StripeNet.TransferCreateOptions
                    {
                        Amount = payout.Amount,
                        Currency = payout.Currency,
                        Destination = payout.StripeAccountId,
                        TransferGroup = payout.IdempotencyKey,
                        Description = $"Marketplace revenue share {payout.Period}",
                        Metadata = new Dictionary<string, string>
                        {
                            ["payout_id"] = payout.Id,
                            ["developer_id"] = payout.DeveloperId,
                            ["period"] = payout.Period,
                        },
                    },
                    new StripeNet.RequestOptions { IdempotencyKey = payout.IdempotencyKey },
                    ct);
            }
            catch (StripeNet.StripeException e)
            {
                var error = $"{e.GetType().Name} {(int)e.HttpStatusCode}: {e.StripeError?.Message ?? e.Message}";
                error = error.Length > 2000 ? error[..2000] : error;
                await RecordFailureAsync(payout, error);
                return SendOutcome.Failed;
            }

            await MarkPaidAsync(payout, transfer.Id, ct);
            return SendOutcome.Paid;
        }

        /// <summary>
        /// Keeps the refusal on the pending payout (the next run tries again) and, when it is the first of a streak (no error
        /// recorded before), queues <see cref="PayoutFailed"/> with it in one transaction. Not cancellable: Stripe has answered.
        /// </summary>
        private async Task RecordFailureAsync(Payout payout, string error)
        {
            await using var transaction = await db.BeginWriteTransactionAsync(CancellationToken.None);
            var first = await db.Payouts.Where(p => p.Id == payout.Id && p.Status == PayoutStatuses.Pending && p.LastError == null)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.LastError, error).SetProperty(p => p.LeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
            if (first == 0)
            {
                await db.Payouts.Where(p => p.Id == payout.Id && p.Status == PayoutStatuses.Pending)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.LastError, error).SetProperty(p => p.LeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
            }
            else
            {
                var failedAt = clock.GetUtcNow();
                db.AddIntegrationEvent(new PayoutFailed(IntegrationEventIds.New(failedAt), failedAt, payout.Id, payout.DeveloperId, payout.Period, payout.Amount, payout.Currency, error));
                await db.SaveChangesAsync(CancellationToken.None);
            }

            await transaction.CommitAsync(CancellationToken.None);
        }

        private async Task MarkPaidAsync(Payout payout, string transferId, CancellationToken ct)
        {
            await using var transaction = await db.BeginWriteTransactionAsync(ct);
            var now = clock.GetUtcNow();
            var marked = await db.Payouts.Where(p => p.Id == payout.Id && p.Status == PayoutStatuses.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, PayoutStatuses.Paid).SetProperty(p => p.TransferId, transferId)
                    .SetProperty(p => p.PaidAt, now).SetProperty(p => p.LeaseUntil, (DateTimeOffset?)null).SetProperty(p => p.LastError, (string?)null), ct);
            if (marked == 0)
            {
                return;
            }

            var events = await db.RevenueEvents.Where(e => e.PayoutId == payout.Id && e.PaidAt == null).ToListAsync(ct);
            foreach (var evt in events)
            {
                evt.PaidAt = now;
                evt.TransferId = transferId;
                await ledger.AddPaidAsync(evt, evt.DeveloperShare, ct);
            }

            db.AddIntegrationEvent(new PayoutSent(IntegrationEventIds.New(now), now, payout.Id, payout.DeveloperId, payout.Period, payout.Amount, payout.Currency, transferId));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
    }
}
