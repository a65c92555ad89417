using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Monetization.TestKit;

/// <summary>
/// Keeps what the Host logs, for tests that assert on it: register with
/// <c>factory.WithServices(s => s.AddSingleton&lt;ILoggerProvider&gt;(sink))</c>. Entries at or above
/// <see cref="MinimumLevel"/> only (the Host's own level filters still apply first).
/// </summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>Lowest level kept (default <see cref="LogLevel.Information"/>).</summary>
    public LogLevel MinimumLevel { get; init; } = LogLevel.Information;

    /// <summary>Everything kept so far, oldest first.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>Entries whose category is <paramref name="category"/> (the logging class's full name).</summary>
    public IReadOnlyList<LogEntry> From(string category) => Entries.Where(e => e.Category == category).ToList();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class SinkLogger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= sink.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                sink._entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception)));
            }
        }
    }
}

/// <summary>One log line the Host wrote.</summary>
/// <param name="Category">The logger's category (usually the logging class's full name).</param>
/// <param name="Level">Its level.</param>
/// <param name="Message">The formatted message.</param>
public sealed record LogEntry(string Category, LogLevel Level, string Message);
