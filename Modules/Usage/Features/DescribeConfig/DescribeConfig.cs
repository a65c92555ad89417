using Microsoft.Extensions.Options;
using Monetization.BuildingBlocks.Http;
using Monetization.Usage.Domain;

namespace Monetization.Usage.Features.DescribeConfig;

/// <summary>The Usage part of <c>GET /v1/config</c> (issue 20): the billing currency, the prepaid credit packages and the price of an extra quota slot.</summary>
internal static class DescribeConfig
{
    /// <summary>The part.</summary>
    /// <param name="Currency"><c>Usage:Currency</c>, ISO 4217 lowercase.</param>
    /// <param name="CreditPackages">The packages, smallest first.</param>
    /// <param name="SlotPrice">One extra quota slot (<c>Usage:SlotPrice</c>).</param>
    internal sealed record Part(string Currency, IReadOnlyList<CreditPackage> CreditPackages, Price SlotPrice);

    /// <summary>A credit package.</summary>
    /// <param name="Package">Its name (the <c>package</c> of the credit checkout).</param>
    /// <param name="Amount">Credits granted and price paid, minor units.</param>
    /// <param name="Currency">ISO 4217, lowercase.</param>
    /// <param name="ExpiresAfterDays">Days the credits last, or null for never.</param>
    internal sealed record CreditPackage(string Package, long Amount, string Currency, int? ExpiresAfterDays);

    /// <summary>An amount.</summary>
    /// <param name="Amount">Minor units.</param>
    /// <param name="Currency">ISO 4217, lowercase.</param>
    internal sealed record Price(long Amount, string Currency);

    internal sealed class Contributor(IOptions<UsageOptions> options) : IPublicConfigPart
    {
        public string Name => "usage";

        public Task<object> ReadAsync(CancellationToken cancellationToken)
        {
            var o = options.Value;
            var currency = o.Currency.ToLowerInvariant();
            var packages = o.CreditPackages
                .Select(p => new CreditPackage(p.Key, p.Value.Amount, p.Value.Currency.ToLowerInvariant(), p.Value.ExpiresAfterDays))
                .OrderBy(p => p.Amount).ThenBy(p => p.Package, StringComparer.Ordinal).ToList();
            return Task.FromResult<object>(new Part(currency, packages, new Price(o.SlotPrice, currency)));
        }
    }
}
