namespace Monetization.BuildingBlocks.Outbox;

/// <summary>Outbox dispatch settings, bound from the <c>Outbox</c> configuration section (shared by every module).</summary>
public sealed class OutboxOptions
{
    /// <summary>Run the background dispatch loop (default true). Off, rows are only dispatched on demand (tests) and not drained at shutdown.</summary>
    public bool AutoStart { get; set; } = true;

    /// <summary>Polling fallback when no commit signal arrives, seconds (default 2).</summary>
    public double PollIntervalSeconds { get; set; } = 2;

    /// <summary>Attempts before an event is dead-lettered (default 10).</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>First retry delay, seconds; doubles per attempt (default 2).</summary>
    public double BaseRetryDelaySeconds { get; set; } = 2;

    /// <summary>Cap on the retry delay, seconds (default 600).</summary>
    public double MaxRetryDelaySeconds { get; set; } = 600;

    /// <summary>
    /// How long a woken dispatcher waits before a round that follows a partly filled one, milliseconds (default 10; 0: none).
    /// Under a steady stream of commits each signal would otherwise start a round of a few rows, and every round takes the
    /// module's write gate to claim them, in turn with the module's own writers (issue 22, docs/adr/0063).
    /// </summary>
    public int CoalesceMilliseconds { get; set; } = 10;

    /// <summary>Rows claimed per round (default 100).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How long a claim keeps other dispatcher instances off a row, seconds (default 60).</summary>
    public double LeaseSeconds { get; set; } = 60;

    /// <summary>The delay before attempt <paramref name="attemptsMade"/> + 1: base × 2^(attempts−1), capped.</summary>
    public TimeSpan RetryDelay(int attemptsMade)
    {
        var exponent = Math.Clamp(attemptsMade - 1, 0, 30);
        return TimeSpan.FromSeconds(Math.Min(MaxRetryDelaySeconds, BaseRetryDelaySeconds * Math.Pow(2, exponent)));
    }
}
