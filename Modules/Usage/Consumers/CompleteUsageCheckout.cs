using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Billing;
using Monetization.BuildingBlocks.Outbox;
using Monetization.IntegrationEvents.Subscriptions;
using Monetization.Usage.Data;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Consumers;

/// <summary>
/// Fulfils Usage's paid checkouts from <see cref="CheckoutCompleted"/>: <c>purpose = usage.credits</c> grants the
/// package's credit, <c>purpose = usage.slots</c> adds the slots to the resource's limit. Exactly once per checkout
/// session (unique session id on the grant). The session recorded at creation is the source of what was sold; a
/// session Usage has no record of (created elsewhere) is fulfilled from its metadata when it is consistent.
/// </summary>
internal sealed partial class CompleteUsageCheckout(UsageDbContext db, TimeProvider clock, IOptions<UsageOptions> options, ILogger<CompleteUsageCheckout> logger)
    : IdempotentConsumer<CheckoutCompleted, UsageDbContext>(db, clock)
{
    /// <summary>Only Usage's own purposes: any other checkout writes nothing here, not even an inbox row.</summary>
    protected override ValueTask<bool> ConcernsAsync(CheckoutCompleted integrationEvent, CancellationToken cancellationToken) =>
        ValueTask.FromResult(integrationEvent.Purpose is CheckoutPurposes.UsageCredits or CheckoutPurposes.UsageSlots);

    protected override async Task HandleAsync(CheckoutCompleted integrationEvent, CancellationToken cancellationToken)
    {

        var now = Clock.GetUtcNow();
        var session = integrationEvent.CheckoutSessionId;
        var checkout = await Db.Checkouts.FirstOrDefaultAsync(c => c.SessionId == session, cancellationToken) ?? FromMetadata(integrationEvent, now);
        if (checkout is null)
        {
            LogUnusable(logger, session, integrationEvent.Purpose);
            return;
        }

        if (integrationEvent.StripeCustomerId is { Length: > 0 } customer)
        {
            var account = await Db.Accounts.FirstOrDefaultAsync(a => a.UserId == checkout.UserId, cancellationToken);
            if (account is null)
            {
                Db.Accounts.Add(new UsageAccount { UserId = checkout.UserId, StripeCustomerId = customer, UpdatedAt = now });
            }
            else if (account.StripeCustomerId is null)
            {
                account.StripeCustomerId = customer;
                account.UpdatedAt = now;
            }
        }

        checkout.Status = "completed";
        checkout.CompletedAt = now;
        if (checkout.Purpose == CheckoutPurposes.UsageCredits)
        {
            if (!await Db.CreditGrants.AnyAsync(g => g.CheckoutSessionId == session, cancellationToken))
            {
                DateTimeOffset? expires = checkout.CreditExpiresAfterDays is { } days ? now.AddDays(days) : null;
                CreditWallet.Grant(Db, checkout.UserId, checkout.Amount, checkout.Currency, expires, $"Credit package {checkout.Package}", "purchase", session, now);
            }
        }
        else if (!await Db.QuotaSlotGrants.AnyAsync(s => s.CheckoutSessionId == session, cancellationToken))
        {
            Db.QuotaSlotGrants.Add(new QuotaSlotGrant
            {
                Id = PrefixedId.New("slt"),
                UserId = checkout.UserId,
                Resource = checkout.Resource!,
                Slots = checkout.Quantity,
                CheckoutSessionId = session,
                Amount = integrationEvent.AmountTotal,
                Currency = integrationEvent.Currency,
                CreatedAt = now,
            });
        }
    }

    /// <summary>A checkout Usage did not record: trusted when its metadata names the user and what was sold and the amount paid matches the price.</summary>
    private UsageCheckout? FromMetadata(CheckoutCompleted e, DateTimeOffset now)
    {
        var metadata = e.Metadata;
        var userId = e.UserId ?? metadata.GetValueOrDefault("user_id");
        if (string.IsNullOrEmpty(userId))
        {
            return null;
        }

        var checkout = new UsageCheckout { SessionId = e.CheckoutSessionId, UserId = userId, Purpose = e.Purpose, Currency = e.Currency, CreatedAt = now };
        if (e.Purpose == CheckoutPurposes.UsageCredits)
        {
            if (metadata.GetValueOrDefault("package") is not { } name || !options.Value.CreditPackages.TryGetValue(name, out var package)
                || package.Amount != e.AmountTotal || !string.Equals(package.Currency, e.Currency, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            checkout.Package = name;
            checkout.Quantity = 1;
            checkout.Amount = package.Amount;
            checkout.CreditExpiresAfterDays = package.ExpiresAfterDays;
        }
        else
        {
            if (metadata.GetValueOrDefault("resource") is not { } resource || !QuotaResources.IsKnown(resource)
                || !long.TryParse(metadata.GetValueOrDefault("quantity") ?? "1", NumberStyles.None, CultureInfo.InvariantCulture, out var quantity)
                || quantity < 1 || quantity * options.Value.SlotPrice != e.AmountTotal)
            {
                return null;
            }

            checkout.Resource = resource;
            checkout.Quantity = quantity;
            checkout.Amount = e.AmountTotal;
        }

        Db.Checkouts.Add(checkout);
        return checkout;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkout {SessionId} completed with purpose {Purpose} but Usage cannot tell what was sold; nothing fulfilled")]
    private static partial void LogUnusable(ILogger logger, string sessionId, string purpose);
}
