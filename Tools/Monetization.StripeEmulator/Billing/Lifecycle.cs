using System.Text.Json.Nodes;
using Monetization.StripeEmulator.Shapes;

namespace Monetization.StripeEmulator.Billing;

/// <summary>
/// Clock-driven billing: trial reminders and ends, renewals, period-end cancellations, payment retries and
/// auto-finalisation of drafts. Work is done one due item at a time, in time order.
/// </summary>
internal sealed class Lifecycle
{
    public const long TrialWillEndLead = 3 * 86400;
    private readonly Engine _engine;

    public Lifecycle(Engine engine) => _engine = engine;

    /// <summary>Processes everything due up to <paramref name="now"/> without moving the clock.</summary>
    public void RunDue(long now)
    {
        for (var guard = 0; guard < 10000; guard++)
        {
            var step = NextDue(now);
            if (step is null)
            {
                return;
            }

            step.Value.Action();
        }
    }

    /// <summary>Moves the clock to the next due item (if any before <paramref name="target"/>) and processes it.</summary>
    public bool RunNextStep(long target)
    {
        var step = NextDue(target);
        if (step is null)
        {
            return false;
        }

        _engine.Clock.MoveTo(step.Value.At);
        step.Value.Action();
        return true;
    }

    private (long At, Action Action)? NextDue(long horizon)
    {
        var candidates = new List<(long At, int Rank, Action Action)>();
        var subscriptions = _engine.Subscriptions;
        foreach (var sub in _engine.Store.All("subscription"))
        {
            var status = sub.Str("status");
            if (status is "canceled" or "incomplete" or "incomplete_expired")
            {
                continue;
            }

            var cancelAt = sub.LongOrNull("cancel_at");
            if (status == "trialing")
            {
                var trialEnd = sub.Long("trial_end");
                var sent = _engine.Store.Internal(sub.Str("id")!).LongOrNull("trial_will_end_sent") == trialEnd;
                if (!sent)
                {
                    var at = Math.Max(trialEnd - TrialWillEndLead, sub.Long("trial_start"));
                    candidates.Add((at, 0, () => subscriptions.SendTrialWillEnd(sub)));
                }

                if (cancelAt is not null && cancelAt <= trialEnd)
                {
                    candidates.Add((cancelAt.Value, 1, () => subscriptions.Cancel(sub, "cancellation_requested")));
                }
                else
                {
                    candidates.Add((trialEnd, 2, () => subscriptions.EndTrial(sub)));
                }

                continue;
            }

            var periodEnd = subscriptions.PeriodEnd(sub);
            if (cancelAt is not null && cancelAt <= periodEnd)
            {
                candidates.Add((cancelAt.Value, 1, () => subscriptions.Cancel(sub, "cancellation_requested")));
            }
            else
            {
                candidates.Add((periodEnd, 3, () => subscriptions.Renew(sub)));
            }
        }

        foreach (var invoice in _engine.Store.All("invoice"))
        {
            var status = invoice.Str("status");
            if (status == "open" && invoice.LongOrNull("next_payment_attempt") is { } retryAt)
            {
                candidates.Add((retryAt, 4, () => _engine.Invoicing.Pay(invoice, offSession: true, null, throwOnDecline: false)));
            }
            else if (status == "draft" && invoice.LongOrNull("automatically_finalizes_at") is { } finalizeAt)
            {
                candidates.Add((finalizeAt, 5, () => FinalizeAndCollect(invoice)));
            }
        }

        var next = candidates.Where(c => c.At <= horizon).OrderBy(c => c.At).ThenBy(c => c.Rank).FirstOrDefault();
        return next.Action is null ? null : (next.At, next.Action);
    }

    private void FinalizeAndCollect(JsonObject invoice)
    {
        _engine.Invoicing.Finalize(invoice);
        if (invoice.Str("status") == "open" && invoice.Str("collection_method") == "charge_automatically")
        {
            _engine.Invoicing.Pay(invoice, offSession: true, null, throwOnDecline: false);
        }
    }
}
