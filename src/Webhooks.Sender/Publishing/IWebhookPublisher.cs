using System;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Sender.Publishing;

/// <summary>
/// Publishes events to the subscriptions that take them. The message is serialised once, into
/// <c>{"type":…,"timestamp":…,"data":…}</c>, and one delivery per matching active subscription is stored in the outbox before
/// the call returns: from then on a crash loses nothing, and every attempt sends the same bytes.
/// </summary>
public interface IWebhookPublisher
{
    /// <summary>Publishes an event whose data is serialised with <paramref name="jsonTypeInfo"/> (trimming- and AOT-safe).</summary>
    /// <typeparam name="T">The data's type.</typeparam>
    /// <param name="eventType">The event type, printable ASCII without spaces, up to 200 characters.</param>
    /// <param name="data">The event's data.</param>
    /// <param name="jsonTypeInfo">How to serialise it, from a <c>JsonSerializerContext</c>.</param>
    /// <param name="idempotencyKey">
    /// Publishing again with the same key (within the retention) stores nothing new and returns the first message's id, so a
    /// caller may retry a publish whose outcome it did not learn; <see langword="null"/> for none.
    /// </param>
    /// <param name="cancellationToken">Cancels the call; deliveries already stored stay.</param>
    /// <returns>The message id and how many deliveries were stored.</returns>
    /// <exception cref="ArgumentException">The event type or the idempotency key is invalid.</exception>
    ValueTask<WebhookPublishResult> PublishAsync<T>(string eventType, T data, JsonTypeInfo<T> jsonTypeInfo, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>Publishes an event whose data is JSON already.</summary>
    /// <param name="eventType">The event type, printable ASCII without spaces, up to 200 characters.</param>
    /// <param name="json">The event's data: one JSON value, in UTF-8.</param>
    /// <param name="idempotencyKey">As for <see cref="PublishAsync{T}"/>.</param>
    /// <param name="cancellationToken">Cancels the call; deliveries already stored stay.</param>
    /// <returns>The message id and how many deliveries were stored.</returns>
    /// <exception cref="ArgumentException">The event type or the idempotency key is invalid, or <paramref name="json"/> is not one JSON value.</exception>
    ValueTask<WebhookPublishResult> PublishJsonAsync(string eventType, ReadOnlyMemory<byte> json, string? idempotencyKey = null, CancellationToken cancellationToken = default);
}
