using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.ListUsageInvoices;

/// <summary>
/// <c>GET /v1/usage/{user_id}/invoices?limit=&amp;starting_after=</c>: the user's usage invoices, newest period first, with
/// their lines and the price each line applied; paged by the one convention (<see cref="Paging"/>).
/// </summary>
internal static class ListUsageInvoices
{
    /// <summary>The query.</summary>
    internal sealed record Request(string UserId, string? Limit = null, string? StartingAfter = null) : IRequest<Response>;

    /// <summary>The invoices.</summary>
    /// <param name="UserId">User.</param>
    /// <param name="Data">This page, newest period first.</param>
    /// <param name="HasMore">Whether older invoices follow (pass the last <c>usage_invoice_id</c> as <c>starting_after</c>).</param>
    internal sealed record Response(string UserId, IReadOnlyList<Invoice> Data, bool HasMore);

    /// <summary>A usage invoice.</summary>
    /// <param name="UsageInvoiceId">Id (<c>uin_…</c>).</param>
    /// <param name="Number"><c>INV-YYYYMM-NNNN</c>.</param>
    /// <param name="Period"><c>YYYY-MM</c>.</param>
    /// <param name="Currency">ISO 4217.</param>
    /// <param name="Subtotal">Usage cost, minor units.</param>
    /// <param name="CreditsApplied">Credits spent, minor units.</param>
    /// <param name="AmountDue">Billed through Stripe, minor units.</param>
    /// <param name="Status"><c>paid</c>, <c>pending</c>, <c>awaiting_customer</c>, <c>payment_failed</c>, <c>void</c>.</param>
    /// <param name="StripeInvoiceId">Stripe invoice.</param>
    /// <param name="CreatedAt">When, UTC.</param>
    /// <param name="PaidAt">When paid, UTC.</param>
    /// <param name="Lines">Lines.</param>
    internal sealed record Invoice(string UsageInvoiceId, string Number, string Period, string Currency, long Subtotal, long CreditsApplied, long AmountDue, string Status, string? StripeInvoiceId, DateTimeOffset CreatedAt, DateTimeOffset? PaidAt, IReadOnlyList<Line> Lines);

    /// <summary>A line.</summary>
    /// <param name="LineId">Id (<c>uil_…</c>).</param>
    /// <param name="Meter">Meter.</param>
    /// <param name="Model">Model.</param>
    /// <param name="PluginId">Plugin, if any.</param>
    /// <param name="InputTokens">Input tokens.</param>
    /// <param name="OutputTokens">Output tokens.</param>
    /// <param name="Amount">Minor units, rounded once.</param>
    /// <param name="Description">Description.</param>
    /// <param name="PriceSource">Which price applied: <c>plugin</c> (the plugin's unit_amount_decimal), <c>plugin_tokens</c> (its input/output prices) or <c>model</c>.</param>
    /// <param name="InputUnitAmountDecimal">Price applied to input tokens, minor units per 1,000 tokens.</param>
    /// <param name="OutputUnitAmountDecimal">Price applied to output tokens, minor units per 1,000 tokens.</param>
    internal sealed record Line(string LineId, string Meter, string? Model, string? PluginId, long InputTokens, long OutputTokens, long Amount, string Description, string PriceSource, string InputUnitAmountDecimal, string OutputUnitAmountDecimal);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(r => r.UserId).MustBeUserId();
            RuleFor(r => r.Limit).MustBeLimit();
            RuleFor(r => r.StartingAfter).MustBeCursor();
        }
    }

    internal sealed class Handler(UsageDbContext db) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var query = db.Invoices.AsNoTracking().Where(i => i.UserId == request.UserId);
            if (request.StartingAfter is { } after)
            {
                var cursor = await query.Where(i => i.Id == after).Select(i => new { i.Period }).SingleOrDefaultAsync(cancellationToken)
                    ?? throw Paging.UnknownCursor("Usage invoice", after);
                query = query.Where(i => string.Compare(i.Period, cursor.Period) < 0);
            }

            // One invoice per (user, period), so the period alone orders and pages them.
            var page = await query.Include(i => i.Lines).OrderByDescending(i => i.Period).ToPageAsync(Paging.LimitOf(request.Limit), cancellationToken);
            return new Response(request.UserId, page.Data.Select(i => new Invoice(
                i.Id, i.Number, i.Period, i.Currency, i.Subtotal, i.CreditsApplied, i.AmountDue, i.Status, i.StripeInvoiceId, i.CreatedAt, i.PaidAt,
                i.Lines.OrderBy(l => l.LineNumber).Select(l => new Line(l.Id, l.Meter, l.Model, l.PluginId, l.InputTokens, l.OutputTokens, l.Amount, l.Description,
                    l.PriceSource, l.InputUnitAmountDecimal, l.OutputUnitAmountDecimal)).ToList())).ToList(), page.HasMore);
        }
    }
}
