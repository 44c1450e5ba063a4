using System;

namespace Webhooks.Health;

/// <summary>When the receiver's health check reports Degraded, passed to <c>AddHealthChecks().AddWebhookReceiver(…)</c>.</summary>
public sealed class WebhookHealthCheckOptions
{
    /// <summary>Gets or sets how many dead events make the receiver Degraded: they wait for someone to replay or delete them.</summary>
    /// <value>1 by default (any dead event); 0 never reports Degraded for dead events.</value>
    public long DeadEventsThreshold { get; set; } = 1;

    /// <summary>
    /// Gets or sets how long the longest-waiting due event may have waited before the receiver is Degraded: processing lags behind
    /// (too few workers, handlers too slow, or no process is claiming work).
    /// </summary>
    /// <value>5 minutes by default; <see cref="TimeSpan.Zero"/> turns the check off.</value>
    public TimeSpan OldestDueAgeThreshold { get; set; } = TimeSpan.FromMinutes(5);
}
