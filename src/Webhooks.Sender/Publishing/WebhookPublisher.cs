using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Sender.Diagnostics;
using Webhooks.Sender.Sending;
using Webhooks.Sender.Subscriptions;
using Webhooks.Storage;

namespace Webhooks.Sender.Publishing;

/// <summary>The <see cref="IWebhookPublisher"/> on the outbox.</summary>
internal sealed class WebhookPublisher : IWebhookPublisher
{
    private static readonly KeyValuePair<string, string>[] NoHeaders = [];

    private readonly IWebhookSubscriptionStore _subscriptions;
    private readonly WebhookOutbox _outbox;
    private readonly TimeProvider _timeProvider;
    private readonly SenderDiagnostics _diagnostics;

    public WebhookPublisher(IWebhookSubscriptionStore subscriptions, WebhookOutbox outbox, TimeProvider timeProvider, SenderDiagnostics diagnostics)
    {
        _subscriptions = subscriptions;
        _outbox = outbox;
        _timeProvider = timeProvider;
        _diagnostics = diagnostics;
    }

    public ValueTask<WebhookPublishResult> PublishAsync<T>(string eventType, T data, JsonTypeInfo<T> jsonTypeInfo, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jsonTypeInfo);
        return PublishCoreAsync(eventType, JsonSerializer.SerializeToUtf8Bytes(data, jsonTypeInfo), idempotencyKey, cancellationToken);
    }

    public ValueTask<WebhookPublishResult> PublishJsonAsync(string eventType, ReadOnlyMemory<byte> json, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        PublishCoreAsync(eventType, json, idempotencyKey, cancellationToken);

    public async ValueTask<WebhookReplayResult> ResendAsync(string subscriptionId, string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        ArgumentNullException.ThrowIfNull(messageId);
        if (subscriptionId.Length == 0 || messageId.Length == 0)
        {
            return WebhookReplayResult.NotFound;
        }

        WebhookReplayResult result = await _outbox.Store.ReplayAsync(WebhookOutbox.DeliveryId(subscriptionId, messageId), force: true, cancellationToken).ConfigureAwait(false);
        if (result == WebhookReplayResult.Queued)
        {
            _outbox.Notify();
        }

        return result;
    }

    public async ValueTask<int> ResendDeadAsync(string subscriptionId, int limit = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        int queued = 0;
        string? cursor = null;
        do
        {
            WebhookEventPage page = await _outbox.Store.ListAsync(WebhookEventStatus.Dead, 100, cursor, cancellationToken).ConfigureAwait(false);
            foreach (WebhookEventSummary dead in page.Items)
            {
                if (queued < limit && string.Equals(dead.Source, subscriptionId, StringComparison.Ordinal) &&
                    await _outbox.Store.ReplayAsync(dead.Id, force: false, cancellationToken).ConfigureAwait(false) == WebhookReplayResult.Queued)
                {
                    queued++;
                }
            }

            cursor = page.Cursor;
        }
        while (cursor is not null && queued < limit);

        if (queued > 0)
        {
            _outbox.Notify();
        }

        return queued;
    }

    private async ValueTask<WebhookPublishResult> PublishCoreAsync(string eventType, ReadOnlyMemory<byte> json, string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (!EventTypePattern.IsValid(eventType) || eventType.Contains('*', StringComparison.Ordinal))
        {
            throw new ArgumentException("The event type must be 1 to 200 characters of printable ASCII, without spaces or '*'.", nameof(eventType));
        }

        if (idempotencyKey is not null && !EventTypePattern.IsValid(idempotencyKey))
        {
            throw new ArgumentException("The idempotency key must be 1 to 200 characters of printable ASCII, without spaces.", nameof(idempotencyKey));
        }

        IReadOnlyList<WebhookSubscription> subscriptions = await _subscriptions.FindActiveAsync(eventType, cancellationToken).ConfigureAwait(false);
        return await StoreAsync(subscriptions, eventType, json, idempotencyKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes to one subscription only, active or not (a test event from the management endpoints).</summary>
    internal ValueTask<WebhookPublishResult> PublishToAsync(WebhookSubscription subscription, string eventType, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        StoreAsync([subscription], eventType, json, null, cancellationToken);

    private async ValueTask<WebhookPublishResult> StoreAsync(IReadOnlyList<WebhookSubscription> subscriptions, string eventType, ReadOnlyMemory<byte> json, string? idempotencyKey, CancellationToken cancellationToken)
    {
        using Activity? activity = SenderDiagnostics.ActivitySource.StartActivity("webhook.publish", ActivityKind.Producer);
        activity?.SetTag("webhook.event_type", eventType);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        string messageId = idempotencyKey is null ? NewMessageId(now) : MessageIdOfKey(idempotencyKey);
        activity?.SetTag("webhook.message_id", messageId);
        byte[] body = Envelope(eventType, now, json.Span);
        int stored = 0;
        bool already = false;
        string? traceParent = Activity.Current?.Id;
        foreach (WebhookSubscription subscription in subscriptions)
        {
            WebhookEvent delivery = WebhookEvent.Create(subscription.Id, messageId, eventType, NoHeaders, body, now) with { TraceParent = traceParent };
            WebhookAppendResult appended = await _outbox.Store.AppendAsync(delivery, cancellationToken).ConfigureAwait(false);
            if (appended == WebhookAppendResult.Appended)
            {
                stored++;
            }
            else
            {
                already = true;
            }
        }

        if (stored > 0)
        {
            _outbox.Notify();
            _diagnostics.Published.Add(1);
            _diagnostics.Deliveries.Add(stored);
        }

        activity?.SetTag("webhook.deliveries", stored);
        return new WebhookPublishResult(messageId, stored, already);
    }

    /// <summary><c>{"type":…,"timestamp":…,"data":…}</c>, written once for every subscriber and attempt.</summary>
    private static byte[] Envelope(string eventType, DateTimeOffset now, ReadOnlySpan<byte> json)
    {
        var buffer = new ArrayBufferWriter<byte>(json.Length + eventType.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", eventType);
            writer.WriteString("timestamp", now);
            writer.WritePropertyName("data");
            try
            {
                writer.WriteRawValue(json, skipInputValidation: false);
            }
            catch (JsonException ex)
            {
                throw new ArgumentException("The data is not one JSON value.", nameof(json), ex);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A new message id: <c>msg_</c>, 10 characters of the time and 16 random ones (Crockford base32), sorting by creation.</summary>
    private static string NewMessageId(DateTimeOffset now) => "msg_" + WebhookSubscriptions.NewId(now)["sub_".Length..];

    /// <summary>The message id of an idempotency key: <c>msg_</c> and 26 base32 characters of its SHA-256, the same in every process.</summary>
    private static string MessageIdOfKey(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return string.Create(30, hash.ToArray(), static (chars, digest) =>
        {
            "msg_".CopyTo(chars);
            for (int i = 0; i < 26; i++)
            {
                chars[4 + i] = WebhookSubscriptions.Crockford[digest[i] & 31];
            }
        });
    }
}
