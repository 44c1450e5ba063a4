using System;

namespace Webhooks.Storage;

/// <summary>How many stored events are in each status, from <see cref="IWebhookEventStore.CountAsync"/>.</summary>
public readonly record struct WebhookEventCounts
{
    /// <summary>Gets the number of queued events.</summary>
    public long Queued { get; init; }

    /// <summary>Gets the number of events a worker holds.</summary>
    public long Processing { get; init; }

    /// <summary>Gets the number of processed events still remembered.</summary>
    public long Processed { get; init; }

    /// <summary>Gets the number of failed events waiting for a retry.</summary>
    public long Failed { get; init; }

    /// <summary>Gets the number of dead events.</summary>
    public long Dead { get; init; }

    /// <summary>
    /// Gets when the event that has waited longest for a worker became due: a queued one (its arrival or replay), a failed one whose
    /// retry time has passed, or a processing one whose lease has expired. On the store's clock.
    /// </summary>
    /// <value><see langword="null"/> when nothing is due. Now minus this is how far processing lags behind.</value>
    public DateTimeOffset? OldestDueAt { get; init; }

    /// <summary>Gets the number of stored events.</summary>
    public long Total => Queued + Processing + Processed + Failed + Dead;

    /// <summary>Gets the count for one status.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The number of events in it.</returns>
    public long this[WebhookEventStatus status] => status switch
    {
        WebhookEventStatus.Queued => Queued,
        WebhookEventStatus.Processing => Processing,
        WebhookEventStatus.Processed => Processed,
        WebhookEventStatus.Failed => Failed,
        WebhookEventStatus.Dead => Dead,
        _ => 0,
    };
}
