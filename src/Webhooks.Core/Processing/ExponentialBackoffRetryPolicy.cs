using System;
using Microsoft.Extensions.Options;

namespace Webhooks.Processing;

/// <summary>
/// Exponential backoff with full jitter and a cap, from <see cref="RetryOptions"/>. A <see cref="WebhookPermanentFailureException"/>
/// is never retried. Thread-safe.
/// </summary>
public sealed class ExponentialBackoffRetryPolicy : IRetryPolicy
{
    private readonly RetryOptions _options;
    private readonly Func<double> _nextUnit;

    /// <summary>Creates the policy from the bound options.</summary>
    /// <param name="options">The receiver options; their <see cref="WebhookReceiverOptions.Retry"/> section is used.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public ExponentialBackoffRetryPolicy(IOptions<WebhookReceiverOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value.Retry)
    {
    }

    /// <summary>Creates the policy.</summary>
    /// <param name="options">The schedule.</param>
    /// <param name="random">The source of jitter; <see cref="Random.Shared"/> when <see langword="null"/>. Pass a seeded one for reproducible delays.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public ExponentialBackoffRetryPolicy(RetryOptions options, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        // Random.Shared is thread-safe; a caller's seeded Random is not, so it is locked.
        _nextUnit = random is null ? Random.Shared.NextDouble : () =>
        {
            lock (random)
            {
                return random.NextDouble();
            }
        };
    }

    /// <inheritdoc />
    public TimeSpan? GetRetryDelay(int attempts, Exception exception)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is WebhookPermanentFailureException || attempts >= _options.MaxAttempts)
        {
            return null;
        }

        TimeSpan cap = GetDelayCap(attempts);
        return _options.UseJitter ? TimeSpan.FromTicks((long)(cap.Ticks * _nextUnit())) : cap;
    }

    /// <summary>The upper bound of the delay after the given number of failed attempts: min(MaxDelay, BaseDelay × Factor^(attempts−1)).</summary>
    /// <param name="attempts">How many attempts have failed; 1 or more.</param>
    /// <returns>The cap.</returns>
    public TimeSpan GetDelayCap(int attempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        double ticks = _options.BaseDelay.Ticks * Math.Pow(_options.Factor, attempts - 1);
        return ticks >= _options.MaxDelay.Ticks ? _options.MaxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
