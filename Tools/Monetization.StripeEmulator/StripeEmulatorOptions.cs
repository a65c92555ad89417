namespace Monetization.StripeEmulator;

/// <summary>Settings of a <see cref="StripeEmulator"/>.</summary>
public sealed class StripeEmulatorOptions
{
    /// <summary>The webhook signing secret (<c>whsec_…</c>). A random one is generated when empty.</summary>
    public string WebhookSecret { get; set; } = string.Empty;

    /// <summary>Where events are delivered (POST, signed). When null, events are only listed by <c>GET /v1/events</c>.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>
    /// Absolute URL under which a browser reaches the emulator, e.g. <c>http://localhost:5000/_stripe</c>.
    /// Hosted page URLs returned in objects (checkout session <c>url</c>, portal <c>url</c>, account link <c>url</c>) are built from it.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:12111";

    /// <summary>When set, state is saved to this JSON file after every change and reloaded on start.</summary>
    public string? StatePath { get; set; }

    /// <summary>The clock the emulator's test clock is built on (default: <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider? BaseClock { get; set; }

    /// <summary>Creates the handler webhook deliveries are sent with (default: a normal socket handler).</summary>
    public Func<HttpMessageHandler>? WebhookHandlerFactory { get; set; }
}
