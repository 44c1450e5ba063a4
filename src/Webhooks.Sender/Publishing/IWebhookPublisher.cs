using System;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Storage;

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

    /// <summary>
    /// Sends a message to a subscriber again, whether it was delivered or dead: the same bytes under the same message id, signed
    /// for the new attempts' times, with a fresh retry schedule.
    /// </summary>
    /// <param name="subscriptionId">The subscription.</param>
    /// <param name="messageId">The message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see cref="WebhookReplayResult.Queued"/>, <see cref="WebhookReplayResult.NotFound"/> (never stored, or past the retention) or <see cref="WebhookReplayResult.AlreadyPending"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    ValueTask<WebhookReplayResult> ResendAsync(string subscriptionId, string messageId, CancellationToken cancellationToken = default);

    /// <summary>Queues a subscription's dead deliveries again (after its endpoint was fixed and the subscription activated).</summary>
    /// <param name="subscriptionId">The subscription.</param>
    /// <param name="limit">The most to queue, 1 or more.</param>
    /// <param name="cancellationToken">Cancels the call; those queued already stay queued.</param>
    /// <returns>How many were queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="subscriptionId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
    ValueTask<int> ResendDeadAsync(string subscriptionId, int limit = 1000, CancellationToken cancellationToken = default);
}
