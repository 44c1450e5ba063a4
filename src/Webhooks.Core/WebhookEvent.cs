using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Webhooks;

/// <summary>
/// One received delivery: its identity, the raw bytes and headers exactly as received, and where it stands in processing.
/// </summary>
/// <remarks>
/// <see cref="Body"/> holds the bytes the signature was verified over, unchanged. <see cref="Headers"/> never holds
/// <c>Authorization</c> or <c>Cookie</c>. Instances are immutable; stores return updated copies.
/// </remarks>
public sealed record WebhookEvent
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders =
        new ReadOnlyDictionary<string, string>(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));

    /// <summary>Gets the event id, <c>&lt;source&gt;:&lt;delivery id&gt;</c> (for example <c>github:72d3162e-…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the name of the source that sent it (<c>github</c>, <c>stripe</c>, or a Standard Webhooks source's name).</summary>
    public required string Source { get; init; }

    /// <summary>Gets the provider's event type (<c>push</c>, <c>payment_intent.succeeded</c>, …); empty when the delivery does not say.</summary>
    public required string EventType { get; init; }

    /// <summary>Gets the request headers as received, minus <c>Authorization</c> and <c>Cookie</c>; names compare case-insensitively.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = NoHeaders;

    /// <summary>Gets the raw request body, byte for byte.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Gets when the delivery was received.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Gets where the delivery stands.</summary>
    /// <value><see cref="WebhookEventStatus.Queued"/> when new.</value>
    public WebhookEventStatus Status { get; init; } = WebhookEventStatus.Queued;

    /// <summary>Gets how many processing attempts have started since it was received or last replayed.</summary>
    public int Attempts { get; init; }

    /// <summary>Gets when the next attempt is due, for <see cref="WebhookEventStatus.Failed"/> deliveries.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Gets when the current worker's lease ends, for <see cref="WebhookEventStatus.Processing"/> deliveries; after it, another worker may take over.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// <summary>Gets the error of the last failed attempt: the exception type and message, never the payload.</summary>
    public string? LastError { get; init; }

    /// <summary>Gets when the delivery became <see cref="WebhookEventStatus.Processed"/> or <see cref="WebhookEventStatus.Dead"/>.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Gets how many times the delivery was replayed; each replay is processed under its own idempotency key.</summary>
    public int ReplayCount { get; init; }

    /// <summary>Gets a value indicating whether it was processed with no handler registered for its source and type.</summary>
    public bool Unhandled { get; init; }

    /// <summary>Headers that are never stored: credentials of the HTTP hop, not part of the delivery.</summary>
    public static IReadOnlyCollection<string> ExcludedHeaders { get; } = ["Authorization", "Cookie"];

    /// <summary>Builds the event id for a delivery: <c>&lt;source&gt;:&lt;delivery id&gt;</c>.</summary>
    /// <param name="source">The source name; not empty.</param>
    /// <param name="deliveryId">The provider's delivery or event id; not empty.</param>
    /// <returns>The event id.</returns>
    /// <exception cref="ArgumentException">An argument is null or empty.</exception>
    public static string CreateId(string source, string deliveryId)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(deliveryId);
        return string.Concat(source, ":", deliveryId);
    }

    /// <summary>Creates a new, queued event from a verified delivery.</summary>
    /// <param name="source">The source name; not empty.</param>
    /// <param name="deliveryId">The provider's delivery or event id; not empty.</param>
    /// <param name="eventType">The provider's event type; empty when unknown.</param>
    /// <param name="headers">The request headers; <c>Authorization</c> and <c>Cookie</c> are dropped.</param>
    /// <param name="body">The raw body, byte for byte.</param>
    /// <param name="receivedAt">When it was received.</param>
    /// <returns>The event, with status <see cref="WebhookEventStatus.Queued"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="eventType"/> or <paramref name="headers"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> or <paramref name="deliveryId"/> is null or empty.</exception>
    public static WebhookEvent Create(
        string source,
        string deliveryId,
        string eventType,
        IEnumerable<KeyValuePair<string, string>> headers,
        ReadOnlyMemory<byte> body,
        DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        ArgumentNullException.ThrowIfNull(headers);
        string id = CreateId(source, deliveryId);

        var kept = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> header in headers)
        {
            if (!IsExcludedHeader(header.Key))
            {
                kept[header.Key] = header.Value;
            }
        }

        return new WebhookEvent
        {
            Id = id,
            Source = source,
            EventType = eventType,
            Headers = new ReadOnlyDictionary<string, string>(kept),
            Body = body,
            ReceivedAt = receivedAt,
        };
    }

    /// <summary>
    /// Tells whether a worker should take the event at <paramref name="now"/>: it is queued, failed with its next attempt due,
    /// or processing under a lease that has expired (its worker crashed or hung).
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when the event is due.</returns>
    public bool IsDueAt(DateTimeOffset now) => Status switch
    {
        WebhookEventStatus.Queued => true,
        WebhookEventStatus.Failed => NextAttemptAt is not { } next || next <= now,
        WebhookEventStatus.Processing => LeaseExpiresAt is not { } lease || lease <= now,
        _ => false,
    };

    /// <summary>Tells whether a header is one that is never stored.</summary>
    /// <param name="name">The header name.</param>
    /// <returns><see langword="true"/> for <c>Authorization</c> and <c>Cookie</c>, in any case.</returns>
    public static bool IsExcludedHeader(string name) =>
        string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase);
}
