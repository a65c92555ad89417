using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Monetization.Webhooks.Delivery;

namespace Monetization.Webhooks.Tests;

/// <summary>Where webhooks may go (issue 18): https outside Development, no internal addresses, checked after DNS.</summary>
public sealed class TargetTests
{
    private static WebhookTargets Targets(bool allowPrivate = false, string environment = "Production") =>
        new(Options.Create(new WebhooksOptions { AllowPrivateTargets = allowPrivate }), new HostingEnvironment { EnvironmentName = environment });

    [TestCase("127.0.0.1")]
    [TestCase("10.1.2.3")]
    [TestCase("172.16.0.1")]
    [TestCase("172.31.255.255")]
    [TestCase("192.168.1.1")]
    [TestCase("169.254.169.254")]
    [TestCase("100.64.0.1")]
    [TestCase("0.0.0.0")]
    [TestCase("224.0.0.1")]
    [TestCase("::1")]
    [TestCase("fe80::1")]
    [TestCase("fd00::1")]
    [TestCase("::ffff:10.0.0.1")]
    public void Internal_addresses_are_refused(string address) => Assert.That(WebhookTargets.IsInternal(IPAddress.Parse(address)), Is.True);

    [TestCase("93.184.215.14")]
    [TestCase("172.32.0.1")]
    [TestCase("2606:4700::1111")]
    public void Public_addresses_are_allowed(string address) => Assert.That(WebhookTargets.IsInternal(IPAddress.Parse(address)), Is.False);

    [TestCase("http://example.com/hooks", "https")]
    [TestCase("https://localhost/hooks", "loopback")]
    [TestCase("https://127.0.0.1/hooks", "loopback")]
    [TestCase("https://[::1]/hooks", "loopback")]
    [TestCase("https://169.254.169.254/latest/meta-data", "private")]
    [TestCase("https://user:pass@example.com/hooks", "user name")]
    [TestCase("ftp://example.com/hooks", "https")]
    [TestCase("/relative", "absolute")]
    public void Urls_outside_the_rules_are_refused_with_a_reason(string url, string reason) =>
        Assert.That(Targets().Refusal(url), Does.Contain(reason));

    [Test]
    public void A_public_https_url_is_accepted_and_http_only_in_development()
    {
        Assert.That(Targets().Refusal("https://hooks.example.com/monetization"), Is.Null);
        Assert.That(Targets(environment: "Development").Refusal("http://hooks.example.com/monetization"), Is.Null);
        Assert.That(Targets(allowPrivate: true).Refusal("https://127.0.0.1:8443/hooks"), Is.Null);
    }

    [Test]
    public void A_name_that_resolves_to_loopback_is_refused_when_connecting()
    {
        // "localhost" resolves through the hosts file, no network needed: the check runs on the resolved addresses.
        var context = new SocketsHttpConnectionContextProbe("localhost", 9);
        var refused = Assert.ThrowsAsync<HttpRequestException>(async () => await Targets().ConnectAsync(context.Value, CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain("private, link-local or loopback"));
    }

    /// <summary>SocketsHttpConnectionContext has no public constructor: one is taken from a real handler's callback.</summary>
    private sealed class SocketsHttpConnectionContextProbe
    {
        public SocketsHttpConnectionContextProbe(string host, int port)
        {
            SocketsHttpConnectionContext? captured = null;
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = (context, _) =>
                {
                    captured = context;
                    throw new HttpRequestException("probe");
                },
            };
            using var client = new HttpClient(handler);
            try
            {
                client.GetAsync(new Uri($"http://{host}:{port}/")).GetAwaiter().GetResult();
            }
            catch (HttpRequestException)
            {
                // expected: the probe only captures the context
            }

            Value = captured ?? throw new InvalidOperationException("no connection context captured");
        }

        public SocketsHttpConnectionContext Value { get; }
    }
}
