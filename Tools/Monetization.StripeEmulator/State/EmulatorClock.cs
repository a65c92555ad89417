namespace Monetization.StripeEmulator.State;

/// <summary>The emulator's test clock: a base clock plus an offset that <c>/_test/clock/advance</c> moves forward.</summary>
internal sealed class EmulatorClock : TimeProvider
{
    private readonly TimeProvider _baseClock;
    private long _offsetTicks;

    public EmulatorClock(TimeProvider baseClock) => _baseClock = baseClock;

    public TimeSpan Offset
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
        set => Interlocked.Exchange(ref _offsetTicks, value.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => _baseClock.GetUtcNow() + Offset;

    public override TimeZoneInfo LocalTimeZone => _baseClock.LocalTimeZone;

    public override long TimestampFrequency => _baseClock.TimestampFrequency;

    public override long GetTimestamp() => _baseClock.GetTimestamp();

    public long NowUnix => GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Moves the clock so that it reads <paramref name="unixSeconds"/> (never backwards).</summary>
    public void MoveTo(long unixSeconds)
    {
        var target = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        var delta = target - GetUtcNow();
        if (delta > TimeSpan.Zero)
        {
            Offset += delta;
        }
    }
}
