using System;

namespace Webhooks.Processing;

/// <summary>Decides whether and when a failed processing attempt is tried again.</summary>
public interface IRetryPolicy
{
    /// <summary>Returns the delay before the next attempt, or <see langword="null"/> to give up (the event becomes dead).</summary>
    /// <param name="attempts">How many attempts have been made, the failed one included; 1 or more.</param>
    /// <param name="exception">Why the last attempt failed.</param>
    /// <returns>The delay, or <see langword="null"/> when no attempt is left.</returns>
    TimeSpan? GetRetryDelay(int attempts, Exception exception);
}
