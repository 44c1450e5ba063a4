using System;

namespace Webhooks.Providers;

/// <summary>What a verified delivery is: an event to store, a handshake to answer, or an error the sender is told about.</summary>
public readonly struct WebhookReadResult
{
    private WebhookReadResult(string? deliveryId, string eventType, WebhookHandshake? handshake, WebhookReadError? error, WebhookHandshake? acknowledgement = null)
    {
        Acknowledgement = acknowledgement;
        DeliveryId = deliveryId;
        EventType = eventType;
        Handshake = handshake;
        Error = error;
    }

    /// <summary>Gets the delivery id of an event: what deduplicates it. <see langword="null"/> for a handshake or an error.</summary>
    public string? DeliveryId { get; }

    /// <summary>Gets the event type, for example <c>push</c>; empty when the delivery names none.</summary>
    public string EventType { get; }

    /// <summary>Gets the answer to a handshake the provider sends to check the endpoint; such a delivery is never stored.</summary>
    public WebhookHandshake? Handshake { get; }

    /// <summary>
    /// Gets the answer a provider needs once an event is saved, instead of the usual <c>202 {"id","status"}</c> (Discord's
    /// interactions want an interaction response); <see langword="null"/> for the usual answer.
    /// </summary>
    public WebhookHandshake? Acknowledgement { get; }

    /// <summary>Gets why the delivery cannot be taken, when it cannot.</summary>
    public WebhookReadError? Error { get; }

    /// <summary>An event to store.</summary>
    /// <param name="deliveryId">Its id, unique per event and the same when the sender retries it.</param>
    /// <param name="eventType">Its type; empty when it has none.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static WebhookReadResult Event(string deliveryId, string eventType)
    {
        ArgumentNullException.ThrowIfNull(deliveryId);
        ArgumentNullException.ThrowIfNull(eventType);
        return deliveryId.Length == 0 ? Invalid(WebhookReadError.MissingDeliveryId) : new WebhookReadResult(deliveryId, eventType, null, null);
    }

    /// <summary>An event to store, answered with <paramref name="acknowledgement"/> once it is saved (and when it is a duplicate).</summary>
    /// <param name="deliveryId">Its id.</param>
    /// <param name="eventType">Its type; empty when it has none.</param>
    /// <param name="acknowledgement">The answer the provider needs.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static WebhookReadResult Event(string deliveryId, string eventType, WebhookHandshake acknowledgement)
    {
        ArgumentNullException.ThrowIfNull(acknowledgement);
        WebhookReadResult result = Event(deliveryId, eventType);
        return result.Error is null ? new WebhookReadResult(deliveryId, eventType, null, null, acknowledgement) : result;
    }

    /// <summary>A handshake, answered at once and not stored.</summary>
    /// <param name="answer">The answer.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="answer"/> is <see langword="null"/>.</exception>
    public static WebhookReadResult Answer(WebhookHandshake answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return new WebhookReadResult(null, "", answer, null);
    }

    /// <summary>A delivery that cannot be taken; the sender gets 400 with the error's code.</summary>
    /// <param name="error">Why.</param>
    /// <returns>The result.</returns>
    public static WebhookReadResult Invalid(WebhookReadError error) => new(null, "", null, error);
}
