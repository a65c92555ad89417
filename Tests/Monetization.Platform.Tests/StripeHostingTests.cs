using Microsoft.Extensions.DependencyInjection;
using StripeNet = Stripe;
using Monetization.TestKit;

namespace Monetization.Platform.Tests;

/// <summary>With no Stripe key, the Host runs the emulator in process and talks to it through its own pipeline.</summary>
public sealed class StripeHostingTests
{
    [Test]
    public async Task Without_a_secret_key_the_client_reaches_the_in_process_emulator_under_stripe_path()
    {
        await using var factory = new MonetizationFactory();
        var stripe = factory.Services.GetRequiredService<StripeNet.StripeClient>();
        var customer = await stripe.V1.Customers.CreateAsync(new StripeNet.CustomerCreateOptions { Email = "ada@example.com" });
        Assert.That(customer.Id, Does.StartWith("cus_"));

        using var http = factory.CreateAnonymousClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", "sk_test_anything");
        var fetched = await http.GetJsonAsync($"/_stripe/v1/customers/{customer.Id}");
        Assert.That(fetched["email"]!.GetValue<string>(), Is.EqualTo("ada@example.com"));
        Assert.That(factory.WebhookSecret(), Does.StartWith("whsec_"));
    }

    [Test]
    public async Task Advancing_the_emulator_clock_moves_the_host_clock()
    {
        await using var factory = new MonetizationFactory();
        var before = factory.Now;
        Assert.That(before, Is.EqualTo(factory.Clock.GetUtcNow()));
        await factory.AdvanceStripeClockAsync(TimeSpan.FromDays(3));
        Assert.That(factory.Now - before, Is.EqualTo(TimeSpan.FromDays(3)).Within(TimeSpan.FromSeconds(1)));
        factory.Clock.Advance(TimeSpan.FromHours(1));
        Assert.That(factory.Now - before, Is.EqualTo(TimeSpan.FromDays(3) + TimeSpan.FromHours(1)).Within(TimeSpan.FromSeconds(1)));
    }
}
