using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Monetization.StripeEmulator;
using EmulatorServer = Monetization.StripeEmulator.StripeEmulator;

namespace Monetization.Stripe.Tests.Emulator;

[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class InProcessHandlerTests
{
    [Test]
    public async Task Client_calls_and_webhooks_flow_in_process_without_sockets()
    {
        var services = new ServiceCollection().BuildServiceProvider();
        var received = new List<(string Signature, string Body, string? PathBase)>();
        RequestDelegate host = async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            lock (received)
            {
                received.Add((ctx.Request.Headers["Stripe-Signature"].ToString(), body, ctx.Request.Path.Value));
            }

            ctx.Response.StatusCode = 200;
        };
        using var emulator = new EmulatorServer(new StripeEmulatorOptions
        {
            PublicBaseUrl = "http://localhost/_stripe",
            BaseClock = new ManualClock(EmulatorHarness.Start),
        });
        emulator.ConfigureWebhooks(new Uri("http://localhost/webhooks/stripe"), () => new InProcessHttpMessageHandler(host, services));
        using var client = new HttpClient(new InProcessHttpMessageHandler(emulator.HandleAsync, services)) { BaseAddress = new Uri("http://localhost/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk_test_inprocess");

        using var response = await client.PostAsync("v1/customers?expand[0]=invoice_settings", new FormUrlEncodedContent([new("email", "a@example.com")]));
        var body = await response.Content.ReadAsStringAsync();
        using var flush = await client.PostAsync("_test/webhooks/flush", null);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.GetValues("Request-Id").Single(), Does.StartWith("req_"));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(body, Does.Contain("\"object\": \"customer\""));
            Assert.That(flush.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(received, Has.Count.EqualTo(1));
            Assert.That(received[0].PathBase, Is.EqualTo("/webhooks/stripe"));
            Assert.That(WebhookReceiver.Verify(emulator.WebhookSecret, new WebhookReceiver.Received(received[0].Body, received[0].Signature, "", "", "", [])), Is.True);
            Assert.That(emulator.WebhookSecret, Does.StartWith("whsec_"));
            Assert.That(emulator.Clock.GetUtcNow(), Is.EqualTo(EmulatorHarness.Start));
        });
    }
}
