using System;
using System.Collections.Generic;

namespace Webhooks;

/// <summary>
/// One received delivery: its identity and the raw bytes and headers exactly as received. This is what a store appends and
/// what a handler is given; where the delivery stands in processing is read separately, as a <see cref="Storage.WebhookEventSummary"/>.
/// </summary>
/// <remarks>
/// <see cref="Body"/> holds the bytes the signature was verified over, unchanged, in memory that the event owns: nobody may
/// write to it once the event is created, because a store may keep it (or still be sending it) after the request has ended.
/// <see cref="Headers"/> never holds <c>Authorization</c> or <c>Cookie</c>.
/// </remarks>
public sealed record WebhookEvent
{
    /// <summary>Gets the event id, <c>&lt;source&gt;:&lt;delivery id&gt;</c> (for example <c>github:72d3162e-…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Gets the name of the source that sent it (<c>github</c>, <c>stripe</c>, or a Standard Webhooks source's name).</summary>
    public required string Source { get; init; }

    /// <summary>Gets the provider's event type (<c>push</c>, <c>payment_intent.succeeded</c>, …); empty when the delivery does not say.</summary>
    public required string EventType { get; init; }

    /// <summary>Gets the request headers as received, minus <c>Authorization</c> and <c>Cookie</c>; names compare case-insensitively.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = WebhookHeaders.Empty;

    /// <summary>Gets the raw request body, byte for byte, in memory the event owns.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Gets when the delivery was received.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Gets the number of the processing attempt this event was handed out for, counting from 1; 0 when it was not claimed.</summary>
    public int Attempts { get; init; }

    /// <summary>
    /// Gets how many attempts in a row before this one were interrupted: their process stopped, or lost the store, before it could
    /// end them, and this claim took the event over once their lease had ended. Such attempts are not counted in
    /// <see cref="Attempts"/> (up to <see cref="Storage.IWebhookEventStore.MaxUncountedInterruptions"/> in a row); a handler whose effect
    /// lives outside the store may see its earlier run's effect.
    /// </summary>
    public int Interruptions { get; init; }

    /// <summary>Gets how many times the delivery was replayed.</summary>
    public int ReplayCount { get; init; }

    /// <summary>
    /// Gets the processing generation: 0 when received, one more after each forced replay. Each handler's success is recorded
    /// per generation, so a retry or an ordinary replay runs only the handlers that have not succeeded yet, while a forced
    /// replay runs them all again.
    /// </summary>
    public int Generation { get; init; }

    /// <summary>
    /// Gets a value indicating whether a store must also treat this event as a duplicate when an event with a byte-identical body
    /// (the same SHA-256 digest) is stored, whatever its id. Set for GitHub deliveries (unless turned off with
    /// <c>Webhooks:GitHub:DeduplicateByBody</c>): GitHub signs only the body, so a captured delivery could otherwise be sent again
    /// under a new delivery id and processed twice.
    /// </summary>
    public bool DeduplicateByBody { get; init; }

    /// <summary>
    /// Gets the W3C <c>traceparent</c> of the request that received the event (<c>00-&lt;trace id&gt;-&lt;span id&gt;-&lt;flags&gt;</c>), kept
    /// with it so that every <c>webhook.process</c> span, in whichever process and however much later, links back to the receipt.
    /// </summary>
    /// <value><see langword="null"/> when the receipt's span was not recorded (no tracing listener sampled it).</value>
    public string? TraceParent { get; init; }

    /// <summary>Headers that are never stored: credentials of the HTTP hop, not part of the delivery.</summary>
    internal static IReadOnlyCollection<string> ExcludedHeaders { get; } = ["Authorization", "Cookie"];

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

    /// <summary>Creates a new event from a verified delivery.</summary>
    /// <param name="source">The source name; not empty.</param>
    /// <param name="deliveryId">The provider's delivery or event id; not empty.</param>
    /// <param name="eventType">The provider's event type; empty when unknown.</param>
    /// <param name="headers">The request headers; <c>Authorization</c> and <c>Cookie</c> are dropped.</param>
    /// <param name="body">
    /// The raw body, byte for byte. The event takes it as it is, without a copy: pass memory that nothing writes to afterwards
    /// (never a pooled buffer).
    /// </param>
    /// <param name="receivedAt">When it was received.</param>
    /// <returns>The event.</returns>
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

        return new WebhookEvent
        {
            Id = id,
            Source = source,
            EventType = WebhookHeaders.Share(eventType),
            Headers = WebhookHeaders.From(headers),
            Body = body,
            ReceivedAt = receivedAt,
        };
    }

    /// <summary>Tells whether a header is one that is never stored.</summary>
    /// <param name="name">The header name.</param>
    /// <returns><see langword="true"/> for <c>Authorization</c> and <c>Cookie</c>, in any case.</returns>
    internal static bool IsExcludedHeader(string name) =>
        string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase);
}
