using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Webhooks.AspNetCore.Tests;

/// <summary>Collects every log entry of a host, to assert what was (not) logged at which level.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, int EventId, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    private TaskCompletionSource _logged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int AtOrAbove(LogLevel level) => Entries.Count(e => e.Level >= level);

    /// <summary>Waits until an entry with one of <paramref name="eventIds"/> has been logged, for at most 20 seconds.</summary>
    public async Task WaitForAsync(params int[] eventIds)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            // Taken before the look, so that an entry logged during it still wakes the wait.
            Task logged = Volatile.Read(ref _logged).Task;
            if (Entries.Any(e => eventIds.Contains(e.EventId)))
            {
                return;
            }

            await logged.WaitAsync(timeout.Token);
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner.Entries.Enqueue((logLevel, category, eventId.Id, formatter(state, exception), exception));
            Interlocked.Exchange(ref owner._logged, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }
}
