namespace Monetization.TestKit;

/// <summary>
/// A settable clock for tests (Microsoft.Extensions.TimeProvider.Testing is absent from the registry). Starts at a fixed
/// instant so tests are repeatable; timers still run on real time.
/// </summary>
public sealed class FakeTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    /// <summary>The default start: 2026-11-02T12:00:00Z.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Creates a clock at <see cref="DefaultStart"/>.</summary>
    public FakeTimeProvider()
        : this(DefaultStart)
    {
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    /// <summary>Moves the clock forward (or back, with a negative span).</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);

    /// <summary>Sets the clock.</summary>
    public void SetUtcNow(DateTimeOffset now) => Interlocked.Exchange(ref _utcTicks, now.UtcTicks);
}
