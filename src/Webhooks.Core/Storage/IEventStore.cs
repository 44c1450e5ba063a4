using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Storage;

/// <summary>
/// Durable record of every accepted delivery. A delivery is appended before it is acknowledged, so what a store holds
/// is what the pipeline promises to process.
/// </summary>
/// <remarks>
/// Implementations throw <see cref="WebhookStoreUnavailableException"/> when the backing store cannot be reached, is too slow
/// or is full; callers answer senders with a retryable error and never acknowledge a delivery that was not saved.
/// </remarks>
public interface IEventStore
{
    /// <summary>Stores <paramref name="webhookEvent"/> if no event with its id is stored yet.</summary>
    /// <param name="webhookEvent">The new event. Its body may live in a pooled buffer that is reused once the call returns: copy it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether it was new, a duplicate with the same body, or a conflicting duplicate with a different body.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable, too slow or full.</exception>
    ValueTask<EventAppendResult> AppendAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default);

    /// <summary>Reads one event.</summary>
    /// <param name="id">The event id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The event, or <see langword="null"/> when none has that id.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<WebhookEvent?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Atomically replaces the mutable state of one event, if it still matches the update's expectations.</summary>
    /// <param name="id">The event id.</param>
    /// <param name="update">The new state, with optional expected status and attempts (compare-and-set).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated event, or <see langword="null"/> when no event has that id or it no longer matches the expectations.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<WebhookEvent?> UpdateAsync(string id, WebhookEventUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Lists events, oldest first, optionally only those with one status.</summary>
    /// <param name="status">Only events with this status; <see langword="null"/> for all.</param>
    /// <param name="limit">The most events on one page; 1 or more.</param>
    /// <param name="continuationToken">The token of the previous page; <see langword="null"/> for the first page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<WebhookEventPage> ListAsync(WebhookEventStatus? status, int limit, string? continuationToken = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds work that is due at <paramref name="now"/> (<see cref="WebhookEvent.IsDueAt"/>): queued events, failed events whose
    /// next attempt is due, and processing events whose lease has expired (their worker crashed or hung).
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <param name="limit">The most ids to return; 1 or more.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The ids of due events, oldest first.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<IReadOnlyList<string>> GetDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>Deletes one event.</summary>
    /// <param name="id">The event id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when an event was deleted.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);
}
