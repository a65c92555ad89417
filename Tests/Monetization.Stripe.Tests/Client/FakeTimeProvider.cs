namespace Monetization.Stripe.Tests.Client;

/// <summary>A clock frozen at a settable instant (Microsoft.Extensions.TimeProvider.Testing is not available here).</summary>
internal sealed class FakeTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
