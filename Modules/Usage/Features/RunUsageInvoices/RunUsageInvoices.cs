using Mapster;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.RunUsageInvoices;

/// <summary>
/// <c>POST /v1/usage/invoices</c> <c>{period}</c> (admin; also run monthly by <see cref="Jobs.UsageInvoiceJob"/>): invoices a
/// closed period's usage. Safe to run again: a user gets one invoice per period, and Stripe steps that failed are retried
/// with the same idempotency keys, so running twice bills once.
/// </summary>
internal static class RunUsageInvoices
{
    /// <summary>Body.</summary>
    /// <param name="Period"><c>YYYY-MM</c>, a month that has ended.</param>
    internal sealed record Body(string? Period)
    {
        public Request ToRequest() => this.Adapt<Request>(UsageMapping.Config);
    }

    /// <summary>The run.</summary>
    internal sealed record Request(string? Period) : IRequest<Response>;

    /// <summary>The period's invoices after the run.</summary>
    /// <param name="Period">Period.</param>
    /// <param name="InvoicesCreated">Invoices created by this run.</param>
    /// <param name="Invoices">Every usage invoice of the period.</param>
    internal sealed record Response(string Period, int InvoicesCreated, IReadOnlyList<InvoiceSummary> Invoices);

    /// <summary>An invoice's state.</summary>
    /// <param name="UsageInvoiceId">Id (<c>uin_…</c>).</param>
    /// <param name="Number"><c>INV-YYYYMM-NNNN</c>.</param>
    /// <param name="UserId">User.</param>
    /// <param name="Currency">ISO 4217.</param>
    /// <param name="Subtotal">Usage cost, minor units.</param>
    /// <param name="CreditsApplied">Credits spent, minor units.</param>
    /// <param name="AmountDue">Billed through Stripe, minor units.</param>
    /// <param name="Status"><c>paid</c>, <c>pending</c>, <c>awaiting_customer</c>, <c>payment_failed</c>, <c>void</c>.</param>
    /// <param name="StripeInvoiceId">Stripe invoice, once created.</param>
    /// <param name="LastError">Last Stripe failure.</param>
    internal sealed record InvoiceSummary(string UsageInvoiceId, string Number, string UserId, string Currency, long Subtotal, long CreditsApplied, long AmountDue, string Status, string? StripeInvoiceId, string? LastError);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator(TimeProvider clock)
        {
            RuleFor(r => r.Period).NotEmpty().Must(p => BillingPeriod.TryParse(p, out _)).WithMessage("period must be YYYY-MM (e.g. 2026-10).")
                .DependentRules(() => RuleFor(r => r.Period)
                    .Must(p => BillingPeriod.Parse(p!).End <= clock.GetUtcNow())
                    .WithMessage(r => $"Period {r.Period} has not ended yet; only a closed month can be invoiced."));
        }
    }

    internal sealed class Handler(UsageInvoicing invoicing, UsageDbContext db) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var period = BillingPeriod.Parse(request.Period!);
            var created = await invoicing.CreateInvoicesAsync(period, cancellationToken);
            await invoicing.CollectAsync(period.ToString(), includeFailedPayments: true, cancellationToken);
            db.ChangeTracker.Clear();
            var p = period.ToString();
            var invoices = await db.Invoices.AsNoTracking().Where(i => i.Period == p).OrderBy(i => i.Number).ToListAsync(cancellationToken);
            return new Response(p, created, invoices.Select(i => new InvoiceSummary(i.Id, i.Number, i.UserId, i.Currency, i.Subtotal, i.CreditsApplied, i.AmountDue, i.Status, i.StripeInvoiceId, i.LastError)).ToList());
        }
    }
}
