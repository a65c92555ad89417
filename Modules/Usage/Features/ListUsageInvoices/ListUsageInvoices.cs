using Monetization.BuildingBlocks.Billing;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.ListUsageInvoices;

/// <summary><c>GET /v1/usage/{user_id}/invoices</c>: the user's usage invoices, newest period first, with their lines.</summary>
public static class ListUsageInvoices
{
    /// <summary>The query.</summary>
    internal sealed record Request(string UserId) : IRequest<Response>;

    /// <summary>The invoices.</summary>
    /// <param name="UserId">User.</param>
    /// <param name="Invoices">Newest period first.</param>
    internal sealed record Response(string UserId, IReadOnlyList<Invoice> Invoices);

    /// <summary>A usage invoice.</summary>
    /// <param name="UsageInvoiceId">Id (<c>uin_…</c>).</param>
    /// <param name="Number"><c>INV-YYYYMM-NNNN</c>.</param>
    /// <param name="Period"><c>YYYY-MM</c>.</param>
    /// <param name="Currency">ISO 4217.</param>
    /// <param name="Subtotal">Usage cost, minor units.</param>
    /// <param name="CreditsApplied">Credits spent, minor units.</param>
    /// <param name="AmountDue">Billed through Stripe, minor units.</param>
    /// <param name="Status"><c>paid</c>, <c>pending</c>, <c>awaiting_customer</c>, <c>payment_failed</c>.</param>
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
    internal sealed record Line(string LineId, string Meter, string? Model, string? PluginId, long InputTokens, long OutputTokens, long Amount, string Description);

    internal sealed class Validator : AbstractValidator<Request>
    {
        public Validator() => RuleFor(r => r.UserId).MustBeUserId();
    }

    internal sealed class Handler(UsageDbContext db) : IRequestHandler<Request, Response>
    {
        public async Task<Response> Handle(Request request, CancellationToken cancellationToken)
        {
            var invoices = await db.Invoices.AsNoTracking().Include(i => i.Lines).Where(i => i.UserId == request.UserId)
                .OrderByDescending(i => i.Period).ToListAsync(cancellationToken);
            return new Response(request.UserId, invoices.Select(i => new Invoice(
                i.Id, i.Number, i.Period, i.Currency, i.Subtotal, i.CreditsApplied, i.AmountDue, i.Status, i.StripeInvoiceId, i.CreatedAt, i.PaidAt,
                i.Lines.OrderBy(l => l.LineNumber).Select(l => new Line(l.Id, l.Meter, l.Model, l.PluginId, l.InputTokens, l.OutputTokens, l.Amount, l.Description)).ToList())).ToList());
        }
    }
}
