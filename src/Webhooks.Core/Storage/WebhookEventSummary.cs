using System;

namespace Webhooks.Storage;

/// <summary>Where a stored delivery stands, without its body or headers: what the admin endpoints list and show.</summary>
public sealed record WebhookEventSummary
{
    /// <summary>Gets the event id, <c>&lt;source&gt;:&lt;delivery id&gt;</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the name of the source that sent it.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the provider's event type; empty when the delivery does not say.</summary>
    public required string EventType { get; init; }

    /// <summary>Gets when the delivery was received.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Gets where the delivery stands.</summary>
    public WebhookEventStatus Status { get; init; }

    /// <summary>Gets how many processing attempts have started since it was received or last replayed (an attempt given back at shutdown is not counted).</summary>
    public int Attempts { get; init; }

    /// <summary>Gets when the next attempt is due, for <see cref="WebhookEventStatus.Failed"/> deliveries (on the store's clock).</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Gets when the current worker's lease ends, for <see cref="WebhookEventStatus.Processing"/> deliveries (on the store's clock); after it, another worker may take over.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// <summary>Gets the error of the last failed attempt: the exception type and message, never the payload.</summary>
    public string? LastError { get; init; }

    /// <summary>Gets when the delivery became <see cref="WebhookEventStatus.Processed"/> or <see cref="WebhookEventStatus.Dead"/>.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Gets how many times the delivery was replayed.</summary>
    public int ReplayCount { get; init; }

    /// <summary>Gets the processing generation (see <see cref="WebhookEvent.Generation"/>).</summary>
    public int Generation { get; init; }

    /// <summary>Gets a value indicating whether it was processed with no handler registered for its source and type.</summary>
    public bool Unhandled { get; init; }

    /// <summary>Gets the length of the stored body in bytes.</summary>
    public long BodyLength { get; init; }
}
