using StripeNet = Stripe;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Http;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Usage.Data;

namespace Monetization.Usage.Domain;

/// <summary>What a payment checkout sells.</summary>
/// <param name="UserId">Buyer.</param>
/// <param name="Purpose"><see cref="CheckoutPurposes.UsageCredits"/> or <see cref="CheckoutPurposes.UsageSlots"/>.</param>
/// <param name="ProductName">Line item name on the Stripe page.</param>
/// <param name="UnitAmount">Unit price, minor units.</param>
/// <param name="Quantity">Units.</param>
/// <param name="Currency">ISO 4217, lowercase.</param>
/// <param name="Package">Credit package name, if credits.</param>
/// <param name="Resource">Resource, if slots.</param>
/// <param name="CreditExpiresAfterDays">Expiry of purchased credits, days; null = never.</param>
internal sealed record CheckoutSale(string UserId, string Purpose, string ProductName, long UnitAmount, long Quantity, string Currency, string? Package, string? Resource, int? CreditExpiresAfterDays);

/// <summary>
/// Creates a Stripe Checkout Session in payment mode with <c>metadata[purpose]</c>, <c>metadata[user_id]</c> and
/// <c>client_reference_id</c> (so Subscriptions' <c>CheckoutCompleted</c> carries them back), for the user's Stripe
/// customer when known, and records it to match the completion.
/// </summary>
internal sealed class CheckoutStarter(UsageDbContext db, StripeNet.StripeClient stripe, TimeProvider clock, IOptions<UsageOptions> options)
{
    /// <summary>Starts the checkout; returns the session id and URL.</summary>
    /// <exception cref="ProblemException">502 when Stripe cannot create the session.</exception>
    public async Task<(string SessionId, string Url)> StartAsync(CheckoutSale sale, CancellationToken ct)
    {
        var customer = await db.Accounts.AsNoTracking().Where(a => a.UserId == sale.UserId).Select(a => a.StripeCustomerId).FirstOrDefaultAsync(ct);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["purpose"] = sale.Purpose,
            ["user_id"] = sale.UserId,
            ["quantity"] = sale.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (sale.Package is not null)
        {
            metadata["package"] = sale.Package;
        }

        if (sale.Resource is not null)
        {
            metadata["resource"] = sale.Resource;
        }

        // A Stripe failure stores nothing and answers 503/502 by the one Stripe rule (StripeFailureProblems, issue 16).
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(
            new StripeNet.Checkout.SessionCreateOptions
            {
                Mode = "payment",
                Customer = customer,
                ClientReferenceId = sale.UserId,
                LineItems =
                [
                    new StripeNet.Checkout.SessionLineItemOptions
                    {
                        PriceData = new StripeNet.Checkout.SessionLineItemPriceDataOptions
                        {
                            Currency = sale.Currency,
                            ProductData = new StripeNet.Checkout.SessionLineItemPriceDataProductDataOptions { Name = sale.ProductName },
                            UnitAmount = sale.UnitAmount,
                        },
                        Quantity = sale.Quantity,
                    },
                ],
                PaymentIntentData = new StripeNet.Checkout.SessionPaymentIntentDataOptions { Description = sale.ProductName, Metadata = metadata },
                Metadata = metadata,
                SuccessUrl = options.Value.CheckoutSuccessUrl,
                CancelUrl = options.Value.CheckoutCancelUrl,
                CustomerCreation = customer is null ? "always" : null,
            },
            cancellationToken: ct);

        var url = session.Url ?? "";
        if (!await db.Checkouts.AnyAsync(c => c.SessionId == session.Id, ct))
        {
            db.Checkouts.Add(new UsageCheckout
            {
                SessionId = session.Id,
                UserId = sale.UserId,
                Purpose = sale.Purpose,
                Package = sale.Package,
                Resource = sale.Resource,
                Quantity = sale.Quantity,
                Amount = sale.UnitAmount * sale.Quantity,
                Currency = sale.Currency,
                CreditExpiresAfterDays = sale.CreditExpiresAfterDays,
                Url = url,
                CreatedAt = clock.GetUtcNow(),
            });
            await db.SaveChangesAsync(ct);
        }

        return (session.Id, url);
    }
}
