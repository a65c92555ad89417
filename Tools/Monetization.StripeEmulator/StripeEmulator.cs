using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monetization.StripeEmulator.Http;
using Monetization.StripeEmulator.Pages;
using Monetization.StripeEmulator.Testing;

namespace Monetization.StripeEmulator;

/// <summary>
/// A Stripe-compatible API emulator. Serves Stripe's v1 wire format under <c>/v1/…</c>, hosted test pages
/// (<c>/checkout/…</c>, <c>/portal/…</c>, <c>/connect/onboarding/…</c>) and scriptable test actions under <c>/_test/…</c>,
/// all relative to the path it is mapped at.
/// </summary>
public sealed class StripeEmulator : IDisposable
{
    /// <summary>The header on every answer of the emulator: <c>Stripe-Emulator</c>.</summary>
    public const string TestModeHeader = "Stripe-Emulator";

    /// <summary>The value of <see cref="TestModeHeader"/>: <c>test-mode</c>.</summary>
    public const string TestModeValue = "test-mode";

    private readonly Engine _engine;
    private readonly ApiPipeline _api;
    private readonly TestRoutes _test;
    private readonly CheckoutPage _checkout;
    private readonly PortalPage _portal;
    private readonly OnboardingPage _onboarding;

    /// <summary>Creates an emulator, loading persisted state when <see cref="StripeEmulatorOptions.StatePath"/> exists.</summary>
    /// <param name="options">Settings.</param>
    /// <param name="logger">Optional logger (webhook failures, internal errors).</param>
    public StripeEmulator(StripeEmulatorOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _engine = new Engine(options, logger ?? NullLogger.Instance);
        _api = new ApiPipeline(_engine);
        _test = new TestRoutes(_engine);
        _checkout = new CheckoutPage(_engine);
        _portal = new PortalPage(_engine);
        _onboarding = new OnboardingPage(_engine);
    }

    /// <summary>
    /// The Stripe API version objects and events are rendered in: <c>2026-10-28.endive</c>, the version Stripe.net 53.1.0
    /// pins. Requests may send it or <c>2026-07-29.dahlia</c> in <c>Stripe-Version</c>; other versions get 400.
    /// </summary>
    public const string ApiVersion = Http.ApiVersions.Current;

    /// <summary>The emulator's test clock: the base clock plus the offset moved by <c>POST /_test/clock/advance</c>.</summary>
    public TimeProvider Clock => _engine.Clock;

    /// <summary>The secret webhook deliveries are signed with (<c>whsec_…</c>).</summary>
    public string WebhookSecret => _engine.Delivery.Secret;

    /// <summary>Sets (or, with a null URL, removes) the webhook endpoint and how deliveries are sent.</summary>
    /// <param name="url">The endpoint events are POSTed to.</param>
    /// <param name="handlerFactory">Creates the HTTP handler used for deliveries; null for a normal socket handler.</param>
    public void ConfigureWebhooks(Uri url, Func<HttpMessageHandler>? handlerFactory) => _engine.ConfigureWebhooks(url, handlerFactory);

    /// <summary>Serves one request whose <see cref="HttpRequest.Path"/> is relative to the emulator root.</summary>
    /// <param name="context">The HTTP context (PathBase may hold the mount point, e.g. <c>/_stripe</c>).</param>
    /// <returns>A task that completes when the response is written.</returns>
    /// <remarks>Every answer carries <c>Stripe-Emulator: test-mode</c> (issue 16): nothing the emulator says is live.</remarks>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers[TestModeHeader] = TestModeValue;
        var path = context.Request.Path.Value ?? "/";
        var segments = path.Trim('/').Split('/');
        switch (segments[0])
        {
            case "v1":
                await _api.HandleAsync(context, path).ConfigureAwait(false);
                return;
            case "_test":
                await _test.HandleAsync(context, path).ConfigureAwait(false);
                return;
            case "checkout" when segments.Length == 2:
                await _checkout.HandleAsync(context, segments[1]).ConfigureAwait(false);
                return;
            case "portal" when segments.Length is 2 or 5:
                await _portal.HandleAsync(context, segments).ConfigureAwait(false);
                return;
            case "connect" when segments.Length == 3 && segments[1] == "onboarding":
                await _onboarding.HandleAsync(context, segments[2]).ConfigureAwait(false);
                return;
            default:
                context.Response.Headers["Request-Id"] = "req_" + State.Ids.Random(14);
                var error = new ApiException(404, "invalid_request_error",
                    $"Unrecognized request URL ({context.Request.Method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.");
                await ApiPipeline.WriteAsync(context, 404, error.ToJson("req_unknown", _engine.Now).ToJsonString(ApiPipeline.Pretty)).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>Stops webhook delivery and releases the HTTP client.</summary>
    public void Dispose() => _engine.Dispose();
}
