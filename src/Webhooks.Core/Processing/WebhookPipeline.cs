using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Webhooks.Diagnostics;
using Webhooks.Storage;

namespace Webhooks.Processing;

/// <summary>
/// The entry points of the receiving pipeline: accept a verified delivery (store it, then wake this process's dispatcher),
/// replay a stored one, or re-send its raw bytes elsewhere. Registered as a singleton by <c>AddWebhookReceiver()</c>.
/// </summary>
public sealed partial class WebhookPipeline
{
    private static readonly HashSet<string> NotResent = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Expect", "TE", "Trailer",
        "Proxy-Connection", "Proxy-Authorization", "Authorization", "Cookie",
    };

    private const int DeadPageSize = 100;

    private readonly IWebhookEventStore _store;
    private readonly WebhookWorkSignal _signal;
    private readonly WebhookMetrics _metrics;
    private readonly ILogger _logger;

    internal WebhookPipeline(IWebhookEventStore store, WebhookWorkSignal signal, WebhookMetrics metrics, ILogger<WebhookPipeline>? logger)
    {
        _store = store;
        _signal = signal;
        _metrics = metrics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Gets a value indicating whether the event store keeps each accepted event's body array itself for the event's life (the
    /// in-memory store does) rather than copying the bytes out. A receiving endpoint then allocates bodies where the garbage
    /// collector never moves them; for any other store, on the ordinary heap, where an array that dies young costs nothing.
    /// </summary>
    public bool StoreKeepsBodyArrays => _store is IKeepsBodyArrays;

    /// <summary>
    /// Stores a verified delivery as queued and, when it is new, wakes the dispatcher. The delivery is saved before this returns,
    /// so a caller may acknowledge it as soon as the result is <see cref="WebhookAcceptResult.Queued"/>.
    /// </summary>
    /// <param name="webhookEvent">
    /// The new event, built with <see cref="WebhookEvent.Create"/> after its signature was verified. Its body must be memory that
    /// nothing writes to afterwards: the store may keep it, or still be sending it, after this call ends (even when it was cancelled).
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether it was queued, or a duplicate (same body) or a conflicting duplicate (different body) of a stored one.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="webhookEvent"/> is <see langword="null"/>.</exception>
    /// <exception cref="WebhookStoreUnavailableException">The store could not save it; nothing was saved, and the sender should retry.</exception>
    public async ValueTask<WebhookAcceptResult> AcceptAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(webhookEvent);
        var tags = new TagList { { "webhook.source", webhookEvent.Source } };
        WebhookAppendResult appended = await _store.AppendAsync(webhookEvent, cancellationToken).ConfigureAwait(false);
        switch (appended)
        {
            case WebhookAppendResult.Appended:
                _signal.Notify();
                _metrics.Received.Add(1, tags);
                Log.Accepted(_logger, webhookEvent.Id, webhookEvent.EventType);
                return WebhookAcceptResult.Queued;
            case WebhookAppendResult.Duplicate:
                _metrics.Duplicates.Add(1, tags);
                Log.Duplicate(_logger, webhookEvent.Id);
                return WebhookAcceptResult.Duplicate;
            default:
                _metrics.Duplicates.Add(1, tags);
                Log.ConflictingDuplicate(_logger, webhookEvent.Id);
                return WebhookAcceptResult.ConflictingDuplicate;
        }
    }

    /// <summary>
    /// Runs a stored event again, due at once with its attempts counted afresh: a dead or failed event at any time, running the
    /// handlers that have not succeeded yet; a processed one only when <paramref name="force"/> is set, and then every handler runs again.
    /// </summary>
    /// <param name="id">The event id.</param>
    /// <param name="force">Replay even when it was processed already, and run every handler again.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether it was queued, and if not, why.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="WebhookStoreUnavailableException">The store could not be read or written.</exception>
    public async ValueTask<WebhookReplayResult> ReplayAsync(string id, bool force = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        WebhookReplayResult result = await _store.ReplayAsync(id, force, cancellationToken).ConfigureAwait(false);
        if (result == WebhookReplayResult.Queued)
        {
            _signal.Notify();
            Log.Replayed(_logger, id, force);
        }

        return result;
    }

    /// <summary>
    /// Replays dead events, newest first, until <paramref name="limit"/> were queued again or none is left: the recovery after the
    /// fault that killed them is fixed. Each event runs the handlers that have not succeeded yet. Each replay is its own store
    /// transition, so an event another process replays or deletes meanwhile is skipped, never run twice.
    /// </summary>
    /// <param name="limit">The most events to replay; 1 or more.</param>
    /// <param name="cancellationToken">Cancels the operation; the events replayed until then stay queued.</param>
    /// <returns>How many events were queued again.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
    /// <exception cref="WebhookStoreUnavailableException">The store could not be read or written; the events replayed before stay queued.</exception>
    public async ValueTask<int> ReplayDeadAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        int replayed = 0;
        string? cursor = null;
        do
        {
            WebhookEventPage page = await _store.ListAsync(WebhookEventStatus.Dead, Math.Min(limit - replayed, DeadPageSize), cursor, cancellationToken).ConfigureAwait(false);
            foreach (WebhookEventSummary dead in page.Items)
            {
                if (await _store.ReplayAsync(dead.Id, force: false, cancellationToken).ConfigureAwait(false) == WebhookReplayResult.Queued)
                {
                    replayed++;
                }
            }

            cursor = page.Cursor;
        }
        while (cursor is not null && replayed < limit);

        if (replayed > 0)
        {
            _signal.Notify();
            Log.ReplayedDead(_logger, replayed);
        }

        return replayed;
    }

    /// <summary>
    /// Sends a stored event's raw body and original headers, unchanged, to another URL (a staging receiver, a local debugger):
    /// its signature still verifies there, within that receiver's timestamp tolerance.
    /// </summary>
    /// <param name="id">The event id.</param>
    /// <param name="target">The absolute URL to POST to.</param>
    /// <param name="httpClient">The client to send with.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The response, or <see langword="null"/> when no event has that id. The caller disposes it.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="target"/> is not an absolute http or https URL.</exception>
    /// <exception cref="HttpRequestException">The target could not be reached.</exception>
    /// <exception cref="WebhookStoreUnavailableException">The store could not be read.</exception>
    public async Task<HttpResponseMessage?> ResendAsync(string id, Uri target, HttpClient httpClient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(httpClient);
        if (!target.IsAbsoluteUri || (!string.Equals(target.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal) && !string.Equals(target.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal)))
        {
            throw new ArgumentException("The target must be an absolute http or https URL.", nameof(target));
        }

        WebhookEvent? stored = await _store.ReadAsync(id, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ReadOnlyMemoryContent(stored.Body) };
        foreach (KeyValuePair<string, string> header in stored.Headers)
        {
            if (NotResent.Contains(header.Key))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                request.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        Log.Resent(_logger, id, target.Host);
        return await httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "Webhook {EventId} ({EventType}) accepted and queued.")]
        public static partial void Accepted(ILogger logger, string eventId, string eventType);

        [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Webhook {EventId} is a duplicate of a stored delivery; not processed again.")]
        public static partial void Duplicate(ILogger logger, string eventId);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Webhook {EventId} arrived again with a different body; refused, the stored delivery is unchanged.")]
        public static partial void ConflictingDuplicate(ILogger logger, string eventId);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Webhook {EventId} replayed (force: {Force}).")]
        public static partial void Replayed(ILogger logger, string eventId, bool force);

        [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "{Count} dead webhooks replayed.")]
        public static partial void ReplayedDead(ILogger logger, int count);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Webhook {EventId} re-sent unchanged to host {Host}.")]
        public static partial void Resent(ILogger logger, string eventId, string host);
    }
}
