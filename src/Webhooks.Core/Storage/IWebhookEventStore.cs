using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Storage;

/// <summary>
/// The durable record of every accepted delivery, and the owner of the work: one store is shared by every receiver process
/// and decides which worker processes which event. Each transition is one atomic operation; a worker never reads an event
/// and then writes it back.
/// </summary>
/// <remarks>
/// <para>
/// Life of an event: <see cref="AppendAsync"/> stores it as <see cref="WebhookEventStatus.Queued"/>. <see cref="ClaimAsync"/>
/// hands due events to a worker under a lease with a fencing token. The worker ends the attempt with
/// <see cref="CompleteAsync"/> (processed), <see cref="FailAsync"/> (failed with a retry time, or dead) or
/// <see cref="ReleaseAsync"/> (shutdown: back to queued, the attempt not counted), and keeps a long attempt alive with
/// <see cref="RenewAsync"/>. Each of these answers <see langword="false"/> and writes nothing when the token is stale: the
/// lease ended and another worker claimed the event, or it was replayed or deleted meanwhile.
/// </para>
/// <para>
/// Due-ness and lease expiry are decided by the store's own clock, so the clocks of the processes sharing it do not matter.
/// Implementations throw <see cref="WebhookStoreUnavailableException"/> when the backing store cannot be reached, is too slow
/// or is full; nothing was changed by such a call.
/// </para>
/// </remarks>
public interface IWebhookEventStore
{
    /// <summary>How many interrupted attempts in a row a claim takes over without counting them.</summary>
    public const int MaxUncountedInterruptions = 3;

    /// <summary>Stores <paramref name="webhookEvent"/> as queued, if no event with its id is stored yet.</summary>
    /// <param name="webhookEvent">The new event. The store may keep its body memory as it is: the caller never writes to it again.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether it was new, a duplicate with the same body, or a conflicting duplicate with a different body (bodies compare by SHA-256 digest).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="webhookEvent"/> is <see langword="null"/>.</exception>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable, too slow or full; nothing was stored.</exception>
    ValueTask<WebhookAppendResult> AppendAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands up to <paramref name="maxEvents"/> due events to the caller, each under a new lease and fencing token, oldest due
    /// first: queued events, failed events whose retry time has come, and processing events whose lease has expired.
    /// Each claim starts an attempt: the attempt count grows by one, except when the claim takes over an attempt that was
    /// interrupted (a processing event whose lease expired): then <see cref="WebhookEvent.Interruptions"/> grows instead, and the
    /// attempt is counted only after <see cref="MaxUncountedInterruptions"/> interruptions in a row (an event that stops every
    /// process that runs it still ends dead). The claim takes the event's handler run for itself when no run of an earlier claim
    /// still holds it (<see cref="WebhookClaim.HoldsRun"/>), and reports the handlers that succeeded
    /// (<see cref="WebhookClaim.SucceededHandlers"/>), so that an attempt whose handlers all succeed needs no store call between
    /// its claim and its completion.
    /// </summary>
    /// <param name="maxEvents">The most events to claim; 1 or more.</param>
    /// <param name="lease">How long the caller holds each event unless it renews; more than zero.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The claimed events with their bodies; empty when nothing is due.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEvents"/> or <paramref name="lease"/> is out of range.</exception>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<IReadOnlyList<WebhookClaim>> ClaimAsync(int maxEvents, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Extends the lease of a claim, and of the handler run it holds, to <paramref name="lease"/> from now (on the store's clock).</summary>
    /// <param name="id">The event id.</param>
    /// <param name="token">The claim's fencing token.</param>
    /// <param name="lease">The new lease length from now; more than zero.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when the token is stale: the caller no longer owns the event and must stop.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<bool> RenewAsync(string id, long token, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Marks a claimed event processed; it is remembered for the store's retention span so that redeliveries are recognised.</summary>
    /// <param name="id">The event id.</param>
    /// <param name="token">The claim's fencing token.</param>
    /// <param name="unhandled"><see langword="true"/> when no handler was registered for it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when the token is stale; nothing was written.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<bool> CompleteAsync(string id, long token, bool unhandled, CancellationToken cancellationToken = default);

    /// <summary>Records a failed attempt: failed with a retry after <paramref name="retryDelay"/>, or dead when it is <see langword="null"/>.</summary>
    /// <param name="id">The event id.</param>
    /// <param name="token">The claim's fencing token.</param>
    /// <param name="lastError">What went wrong: an exception type and message, never a payload.</param>
    /// <param name="retryDelay">How long from now (on the store's clock) the next attempt is due; <see langword="null"/> to make the event dead.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when the token is stale; nothing was written.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<bool> FailAsync(string id, long token, string lastError, TimeSpan? retryDelay, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives a claimed event back (the process is shutting down): queued and due at once, the attempt not counted, and the handler
    /// run the claim held let go.
    /// </summary>
    /// <param name="id">The event id.</param>
    /// <param name="token">The claim's fencing token.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when the token is stale; nothing was written.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<bool> ReleaseAsync(string id, long token, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives a claimed event back because one of its handlers is still held by another attempt (a handler that ignored its
    /// cancellation and still runs in a live process), or because the store could not be reached: queued again, due after
    /// <paramref name="delay"/>, the attempt not counted, and the handler run the claim held let go.
    /// </summary>
    /// <param name="id">The event id.</param>
    /// <param name="token">The claim's fencing token.</param>
    /// <param name="delay">How long from now (on the store's clock) the event is due again; zero or more.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when the token is stale; nothing was written.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<bool> DeferAsync(string id, long token, TimeSpan delay, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts one handler's run for a claimed event, recorded with the event: an event has at most one handler run at a time, and
    /// a handler that succeeded for it is not run again until a forced replay.
    /// </summary>
    /// <remarks>
    /// The run belongs to the claim that started it: <see cref="RenewAsync"/> of that claim renews it, and when the claim's lease
    /// ends without a renewal, a later claim of the event (a greater token) takes the run over. A run whose attempt ended while
    /// its handler still runs (a stuck handler) keeps its hold while its holder renews it with <see cref="RenewHandlerAsync"/>.
    /// </remarks>
    /// <param name="id">The event id.</param>
    /// <param name="token">The claim's fencing token.</param>
    /// <param name="handler">The handler's name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>
    /// <see cref="WebhookHandlerBeginResult.Started"/> (the run is this claim's until its lease ends),
    /// <see cref="WebhookHandlerBeginResult.AlreadySucceeded"/>, <see cref="WebhookHandlerBeginResult.Busy"/> (another claim's run
    /// is still held), or <see cref="WebhookHandlerBeginResult.LeaseLost"/> (the token is stale; nothing was written).
    /// </returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<WebhookHandlerBeginResult> BeginHandlerAsync(string id, long token, string handler, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the handler run that <paramref name="token"/> holds, recording <paramref name="handler"/> as succeeded (kept as long as
    /// the event is stored, until a forced replay) or not (a later attempt runs it again). The event may have moved on since (a
    /// stuck handler that returned late): the run's own holder may still end it. A completion needs no end of its last run:
    /// <see cref="CompleteAsync"/> records the event processed, every handler with it.
    /// </summary>
    /// <param name="id">The event id.</param>
    /// <param name="token">The token of the claim that started the run.</param>
    /// <param name="handler">The handler's name.</param>
    /// <param name="succeeded">Whether the handler succeeded.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when the run is no longer held by <paramref name="token"/> (taken over, or the event is gone).</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<bool> EndHandlerAsync(string id, long token, string handler, bool succeeded, CancellationToken cancellationToken = default);

    /// <summary>Extends the handler run held by <paramref name="token"/> to <paramref name="lease"/> from now, after its attempt has ended (a stuck handler).</summary>
    /// <param name="id">The event id.</param>
    /// <param name="token">The token of the claim that holds the run.</param>
    /// <param name="lease">The new hold from now; more than zero.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when the run is no longer held by <paramref name="token"/>.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<bool> RenewHandlerAsync(string id, long token, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Reads where one event stands, without its body.</summary>
    /// <param name="id">The event id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The summary, or <see langword="null"/> when no event has that id.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<WebhookEventSummary?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Reads one event as it was received: headers and body.</summary>
    /// <param name="id">The event id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The event, or <see langword="null"/> when no event has that id.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<WebhookEvent?> ReadAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Lists event summaries, newest first, optionally only those with one status.</summary>
    /// <param name="status">Only events with this status; <see langword="null"/> for all.</param>
    /// <param name="limit">The most events on one page; 1 or more.</param>
    /// <param name="cursor">The cursor of the previous page; <see langword="null"/> for the first page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page. Events appended after the first page was read do not appear on later pages.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="cursor"/> is not one this store issued.</exception>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<WebhookEventPage> ListAsync(WebhookEventStatus? status, int limit, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>Counts the stored events in each status.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The counts.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<WebhookEventCounts> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues a stored event again, due at once, with its attempts counted afresh: a dead or failed event at any time, a processed
    /// one only when <paramref name="force"/> is set. A forced replay starts a new <see cref="WebhookEvent.Generation"/>.
    /// </summary>
    /// <param name="id">The event id.</param>
    /// <param name="force">Replay even a processed event, and run every handler again.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether it was queued, and if not, why.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<WebhookReplayResult> ReplayAsync(string id, bool force, CancellationToken cancellationToken = default);

    /// <summary>Deletes one event, whatever its status; a worker holding it can then no longer record a result.</summary>
    /// <param name="id">The event id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when an event was deleted.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);
}
