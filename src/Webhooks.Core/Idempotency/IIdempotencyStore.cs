using System;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Storage;

namespace Webhooks.Idempotency;

/// <summary>
/// Guarantees that the work for one key runs to completion once: a worker takes a lease, does the work, then completes
/// (remembered for a retention period) or releases (so that it can be tried again). A lease that expires, because its worker
/// crashed or hung, can be taken by another worker; the stale worker's token then can neither complete nor release (fencing).
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>Takes the lease on <paramref name="key"/> unless its work is done or another worker holds an unexpired lease.</summary>
    /// <param name="key">The idempotency key (the event id, or the event id and replay number).</param>
    /// <param name="lease">How long the lease lasts; more than zero.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see cref="IdempotencyStatus.Started"/> with a token, <see cref="IdempotencyStatus.AlreadyProcessed"/>, or <see cref="IdempotencyStatus.InProgress"/>.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable, too slow or full.</exception>
    ValueTask<IdempotencyBeginResult> TryBeginAsync(string key, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Marks the work for <paramref name="key"/> done, remembered for <paramref name="retention"/>, if <paramref name="token"/> still holds an unexpired lease.</summary>
    /// <param name="key">The idempotency key.</param>
    /// <param name="token">The token from <see cref="TryBeginAsync"/>.</param>
    /// <param name="retention">How long to remember that the work is done; more than zero.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when the lease expired or was taken by another worker: the caller's result must not be recorded.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<bool> CompleteAsync(string key, long token, TimeSpan retention, CancellationToken cancellationToken = default);

    /// <summary>Gives up the lease on <paramref name="key"/> without completing, so that the work can be tried again.</summary>
    /// <param name="key">The idempotency key.</param>
    /// <param name="token">The token from <see cref="TryBeginAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when the lease expired or was taken by another worker.</returns>
    /// <exception cref="WebhookStoreUnavailableException">The store is unreachable or too slow.</exception>
    ValueTask<bool> ReleaseAsync(string key, long token, CancellationToken cancellationToken = default);
}
