using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;
using StripeNet = Stripe;

namespace Monetization.Usage.Features.VoidUsageInvoice;

/// <summary>
/// <c>POST /v1/usage/invoices/{id}/void</c> (admin; issue 20, docs/adr/0070): voids a usage invoice that was not paid.
/// Its Stripe invoice, when one exists, is voided first (Stripe.net <c>InvoiceService.VoidInvoiceAsync</c>, idempotency key
/// <c>usage-invoice:{user}:{period}:void</c>). Stripe voids only <c>open</c> and <c>uncollectible</c> invoices, so a
/// <c>draft</c> one (a collection that stopped after creating it) is finalized first, without a payment attempt
/// (<c>auto_advance=false</c>, the collector's own idempotency key <c>…:finalize</c>), and then voided: the void stays on
/// record at Stripe, which deleting the draft would not leave;
/// then, in one transaction, the invoice becomes <c>void</c>, the credits spent on it go back to the user's balance and its
/// plugin charges are dropped in Marketplace (<c>UsageChargeVoided</c>): see <see cref="UsageVoiding"/>. Stripe failures
/// answer per ADR 0022 (503 <c>stripe_unavailable</c>, 502 <c>stripe_error</c>) and change nothing here. Voiding a void
/// invoice again answers it as it is (nothing given back twice).
/// </summary>
internal static class VoidUsageInvoice
{
    /// <summary>The usage invoice to void.</summary>
    /// <param name="Id">Our usage invoice id (<c>uin_…</c>), the route's <c>{id}</c>.</param>
    internal sealed record Request(string Id) : IRequest<Response>;

    /// <summary>The usage invoice after the void.</summary>
    /// <param name="UsageInvoiceId">Id (<c>uin_…</c>).</param>
    /// <param name="Number"><c>INV-YYYYMM-NNNN</c>.</param>
    /// <param name="UserId">User.</param>
    /// <param name="Status"><c>void</c>.</param>
    /// <param name="Currency">ISO 4217, lowercase.</param>
    /// <param name="Subtotal">What the lines came to, minor units (as billed; kept for the record).</param>
    /// <param name="CreditsApplied">Credits the invoice had spent, minor units, all given back.</param>
    /// <param name="AmountDue">What Stripe was asked for, minor units, no longer owed.</param>
    /// <param name="CreditsReturned">Credits given back to the balance by the void, minor units (equals <paramref name="CreditsApplied"/>).</param>
    /// <param name="StripeInvoiceId">The voided Stripe invoice, or null when none was created.</param>
    internal sealed record Response(string UsageInvoiceId, string Number, string UserId, string Status, string Currency, long Subtotal, long CreditsApplied, long AmountDue, long CreditsReturned, string? StripeInvoiceId);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.Id).MustBeIdOf("uin", "usage invoice");
        }
    }

    internal sealed class Handler(UsageDbContext db, StripeNet.StripeClient stripe, TimeProvider clock) : IRequestHandler<Request, Response>
    {
        private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var id = request.Id;
            var invoice = await db.Invoices.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken)
                ?? throw ProblemException.NotFound("usage invoice", id);
            if (invoice.Status == UsageInvoiceStatus.Void)
            {
                return await AnswerAsync(id, cancellationToken);
            }

            if (invoice.Status == UsageInvoiceStatus.Paid)
            {
                throw ProblemException.Conflict("invoice_paid", $"Usage invoice {invoice.Number} is paid; a paid invoice is refunded, not voided.");
            }

            if (invoice.StripeInvoiceId is not null && invoice.StripeStatus is not ("open" or "uncollectible" or "draft"))
            {
                throw ProblemException.Conflict("invoice_not_open",
                    $"Usage invoice {invoice.Number}'s Stripe invoice is {invoice.StripeStatus ?? "being created"}; only a draft, open or uncollectible invoice can be voided.");
            }

            // The collection lease: no payment attempt of this invoice runs while it is voided.
            var now = clock.GetUtcNow();
            var until = now + Lease;
            var claimed = await db.Invoices
                .Where(i => i.Id == id && i.Status != UsageInvoiceStatus.Paid && i.Status != UsageInvoiceStatus.Void && (i.LockedUntil == null || i.LockedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.LockedUntil, until), cancellationToken);
            if (claimed == 0)
            {
                throw ProblemException.Conflict("invoice_busy", $"Usage invoice {invoice.Number} is being collected or changed; try again in a minute.");
            }

            try
            {
                if (invoice.StripeInvoiceId is { } stripeInvoiceId)
                {
                    if (invoice.StripeStatus == "draft")
                    {
                        await FinalizeDraftAsync(stripeInvoiceId, $"usage-invoice:{invoice.UserId}:{invoice.Period}:finalize", invoice.Number, cancellationToken);
                    }

                    await VoidAtStripeAsync(stripeInvoiceId, $"usage-invoice:{invoice.UserId}:{invoice.Period}:void", invoice.Number, cancellationToken);
                }

                db.ChangeTracker.Clear();
                await using (var transaction = await db.BeginWriteTransactionAsync(cancellationToken))
                {
                    await UsageVoiding.VoidAsync(db, id, clock.GetUtcNow(), cancellationToken);
                    await db.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }
            }
            finally
            {
                await db.Invoices.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.LockedUntil, (DateTimeOffset?)null), CancellationToken.None);
                db.ChangeTracker.Clear();
            }

            return await AnswerAsync(id, cancellationToken);
        }

        /// <summary>
        /// Finalizes a draft Stripe invoice so that it can be voided, without a payment attempt. Stripe refusing because it
        /// is no longer a draft (finalized meanwhile) is fine when it is open, uncollectible or void; paid is a 409.
        /// </summary>
        private async Task FinalizeDraftAsync(string stripeInvoiceId, string idempotencyKey, string number, CancellationToken ct)
        {
            try
            {
                await stripe.V1.Invoices.FinalizeInvoiceAsync(stripeInvoiceId, new StripeNet.InvoiceFinalizeOptions { AutoAdvance = false },
                    new StripeNet.RequestOptions { IdempotencyKey = idempotencyKey }, ct);
            }
            catch (StripeNet.StripeException e) when (e.StripeError?.Type == "invalid_request_error" && e.HttpStatusCode == System.Net.HttpStatusCode.BadRequest)
            {
                var current = await stripe.V1.Invoices.GetAsync(stripeInvoiceId, null, null, ct);
                if (current.Status == "paid")
                {
                    throw ProblemException.Conflict("invoice_paid", $"Usage invoice {number} was paid at Stripe; a paid invoice is refunded, not voided.");
                }

                if (current.Status is not ("open" or "uncollectible" or "void"))
                {
                    throw;
                }
            }
        }

        /// <summary>
        /// Voids the Stripe invoice. Stripe refusing because it is void already (an earlier attempt whose answer was lost, or
        /// the Dashboard) is success; paid meanwhile is a 409 (its <c>invoice.paid</c> marks the usage invoice paid); any
        /// other Stripe failure propagates (ADR 0022) with nothing changed here.
        /// </summary>
        private async Task VoidAtStripeAsync(string stripeInvoiceId, string idempotencyKey, string number, CancellationToken ct)
        {
            try
            {
                await stripe.V1.Invoices.VoidInvoiceAsync(stripeInvoiceId, null, new StripeNet.RequestOptions { IdempotencyKey = idempotencyKey }, ct);
            }
            catch (StripeNet.StripeException e) when (e.StripeError?.Type == "invalid_request_error" && e.HttpStatusCode == System.Net.HttpStatusCode.BadRequest)
            {
                var current = await stripe.V1.Invoices.GetAsync(stripeInvoiceId, null, null, ct);
                if (current.Status == "void")
                {
                    return;
                }

                if (current.Status == "paid")
                {
                    throw ProblemException.Conflict("invoice_paid", $"Usage invoice {number} was paid at Stripe; a paid invoice is refunded, not voided.");
                }

                throw;
            }
        }

        private async Task<Response> AnswerAsync(string id, CancellationToken ct)
        {
            var invoice = await db.Invoices.AsNoTracking().SingleAsync(i => i.Id == id, ct);
            var returned = await db.CreditLedger.AsNoTracking()
                .Where(e => e.UsageInvoiceId == id && e.Type == UsageVoiding.ReversalEntryType)
                .SumAsync(e => e.Amount, ct);
            return new Response(invoice.Id, invoice.Number, invoice.UserId, invoice.Status, invoice.Currency, invoice.Subtotal, invoice.CreditsApplied, invoice.AmountDue, returned, invoice.StripeInvoiceId);
        }
    }
}
