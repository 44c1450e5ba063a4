using System;

namespace Webhooks.Sender.DeliveryLog;

/// <summary>One attempt to deliver a message to a subscriber, as the delivery log keeps it.</summary>
public sealed record WebhookDeliveryAttempt
{
    /// <summary>Gets the log's sequence number, increasing in the order attempts were recorded; the cursor of paged reads.</summary>
    public long Sequence { get; init; }

    /// <summary>Gets the message id (<c>webhook-id</c>).</summary>
    public required string MessageId { get; init; }

    /// <summary>Gets the subscription id.</summary>
    public required string SubscriptionId { get; init; }

    /// <summary>Gets the event type.</summary>
    public required string EventType { get; init; }

    /// <summary>Gets the attempt's number, from 1.</summary>
    public int Attempt { get; init; }

    /// <summary>Gets when the attempt started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets how long it took, to the end of the response headers or the failure.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets the response's status code, or <see langword="null"/> when there was no response.</summary>
    public int? StatusCode { get; init; }

    /// <summary>
    /// Gets the outcome: <c>delivered</c>, <c>failed</c> (to be retried while attempts remain), <c>rejected</c> (not retried), or
    /// <c>interrupted</c> (the sending process stopped, or lost the outbox store, before the attempt ended: whether it reached
    /// the endpoint is unknown; recorded, with no status code, when the next process takes the delivery over, and not counted).
    /// </summary>
    public required string Outcome { get; init; }

    /// <summary>Gets what went wrong, or <see langword="null"/>.</summary>
    public string? Error { get; init; }

    /// <summary>Gets the start of the response body, up to <see cref="WebhookSenderOptions.ResponseSnippetBytes"/> bytes read as UTF-8.</summary>
    public string? ResponseSnippet { get; init; }
}
