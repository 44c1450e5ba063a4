using System;
using System.Threading;

namespace Webhooks.AspNetCore.Diagnostics;

/// <summary>
/// Lets through the first few lines of one kind per window and counts the rest, so that a flood of bad or refused requests (which
/// anyone can send, without a signature) cannot flood the log. The first line of the next window says how many were left out.
/// </summary>
internal sealed class LogLimiter(TimeProvider timeProvider, TimeSpan window, int perWindow)
{
    /// <summary>The limiter of the endpoints' per-request Warning lines: 5 per 10 seconds of each kind.</summary>
    public static LogLimiter PerRequest(TimeProvider timeProvider) => new(timeProvider, TimeSpan.FromSeconds(10), 5);

    private long _windowStart = long.MinValue;
    private int _count;

    /// <summary>Tells whether this line may be written; <paramref name="suppressed"/> is how many the previous window left out.</summary>
    public bool TryEnter(out int suppressed)
    {
        long now = timeProvider.GetTimestamp();
        long start = Volatile.Read(ref _windowStart);
        if ((start == long.MinValue || timeProvider.GetElapsedTime(start, now) >= window)
            && Interlocked.CompareExchange(ref _windowStart, now, start) == start)
        {
            int previous = Interlocked.Exchange(ref _count, 1);
            suppressed = Math.Max(0, previous - perWindow);
            return true;
        }

        suppressed = 0;
        return Interlocked.Increment(ref _count) <= perWindow;
    }
}
