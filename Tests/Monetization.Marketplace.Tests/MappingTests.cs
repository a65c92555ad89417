using Monetization.Marketplace.Domain;
using Monetization.Marketplace.Features.Installs;
using Monetization.Marketplace.Features.Plugins;

namespace Monetization.Marketplace.Tests;

/// <summary>The module's Mapster configuration (ADR 0003): strict, compiled, and the few configured members right.</summary>
public sealed class MappingTests
{
    [Test]
    public void The_configuration_compiles_with_every_response_member_mapped() =>
        Assert.DoesNotThrow(() => MarketplaceMapping.Config.Compile());

    [Test]
    public void A_usage_plugin_answers_with_its_pricing_from_the_entity()
    {
        var now = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        var plugin = new Plugin
        {
            Id = "plg_1", DeveloperId = "dev_1", Slug = "summarizer", Name = "Summarizer", Description = "d", PricingModel = "usage",
            Currency = "usd", UsageUnit = "tokens", UnitAmountDecimal = "1.5", InputUnitAmountDecimal = "1", OutputUnitAmountDecimal = "2",
            InstallCount = 7, CreatedAt = now, UpdatedAt = now.AddMinutes(1),
        };

        var answer = PluginResponse.From(plugin);

        Assert.That(answer.Pricing, Is.EqualTo(new PricingBody("usage", null, "usd", "tokens", "1.5", "1", "2")));
        Assert.That((answer.Id, answer.DeveloperId, answer.Slug, answer.InstallCount, answer.UpdatedAt), Is.EqualTo(("plg_1", "dev_1", "summarizer", 7L, now.AddMinutes(1))));
    }

    [Test]
    public void An_install_shows_its_checkout_link_only_while_payment_is_pending()
    {
        Install Install(string status) => new()
        {
            Id = "ins_1", PluginId = "plg_1", DeveloperId = "dev_1", UserId = "u1", PricingModel = "one_time", Status = status,
            CheckoutSessionId = "cs_1", CheckoutUrl = "https://checkout.example/cs_1",
        };

        Assert.That(InstallResponse.From(Install(InstallStatuses.PendingPayment)).CheckoutUrl, Is.EqualTo("https://checkout.example/cs_1"));
        Assert.That(InstallResponse.From(Install(InstallStatuses.Active)).CheckoutUrl, Is.Null);
        Assert.That(InstallResponse.From(Install(InstallStatuses.Active)).CheckoutSessionId, Is.EqualTo("cs_1"));
    }
}
