namespace Monetization.Stripe.Tests.Emulator;

/// <summary>A fixed base clock so emulator timestamps are deterministic.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now;

    public ManualClock(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
