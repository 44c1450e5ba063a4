using System;
using System.ComponentModel.DataAnnotations;

namespace Webhooks.Processing;

/// <summary>
/// The default retry schedule (<see cref="ExponentialBackoffRetryPolicy"/>), bound from <c>Webhooks:Retry</c>.
/// Attempt <c>n</c> (counting from 1) that fails waits a random time in [0, min(<see cref="MaxDelay"/>, <see cref="BaseDelay"/> × <see cref="Factor"/>^(n−1))]
/// ("full jitter"), until <see cref="MaxAttempts"/> attempts have been made.
/// </summary>
public sealed class RetryOptions
{
    /// <summary>Gets or sets how many attempts are made in all before the event is dead.</summary>
    /// <value>1 to 100; 8 by default.</value>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Gets or sets the cap of the first retry's delay.</summary>
    /// <value>1 millisecond to 1 day; 10 seconds by default.</value>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the largest delay between two attempts.</summary>
    /// <value>1 millisecond to 7 days, not below <see cref="BaseDelay"/>; 30 minutes by default.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets how much the delay cap grows after each failure.</summary>
    /// <value>1 to 10; 2 by default.</value>
    [Range(1.0, 10.0)]
    public double Factor { get; set; } = 2.0;

    /// <summary>Gets or sets a value indicating whether delays are drawn at random below their cap (full jitter), which spreads retries after an outage.</summary>
    /// <value><see langword="true"/> by default; <see langword="false"/> waits exactly the cap.</value>
    public bool UseJitter { get; set; } = true;
}
