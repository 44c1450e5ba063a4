using System;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Storage;

namespace Webhooks.Processing;

internal sealed partial class WebhookDispatcher
{
    /// <summary>
    /// Watches one attempt on the dispatcher's clock, driven by the dispatcher's one ticker (every tenth of the lease): renews the
    /// claim every third of the lease, cancels the handlers before the lease would end without a renewal (the store is down, or
    /// the claim was lost: at the last tick before 90% of the lease), when the handler timeout passes or at shutdown, and gives
    /// up on a handler that has not returned a grace period after that.
    /// </summary>
    private sealed class AttemptGuard : IDisposable
    {
        private readonly WebhookDispatcher _owner;
        private readonly WebhookClaim _claim;
        private readonly TimeSpan _lease;
        private readonly TimeSpan _handlerTimeout;
        private readonly CancellationTokenSource _cancel = new();
        private readonly TimeSpan _tick;
        private readonly long _started;
        private long _renewedAt;
        private long _cancelledAt;
        private int _reason;
        private int _renewing;

        // Made only for a handler that does not finish at once: most never need it.
        private CancellationTokenSource? _abandon;
        private int _abandoned;

        /// <param name="owner">The dispatcher.</param>
        /// <param name="claim">The attempt's claim.</param>
        /// <param name="claimedAt">When the claim was taken (its lease runs from then, however long it waited for a worker).</param>
        public AttemptGuard(WebhookDispatcher owner, WebhookClaim claim, long claimedAt)
        {
            _owner = owner;
            _claim = claim;
            _lease = owner._options.LeaseDuration;
            _handlerTimeout = owner._options.HandlerTimeout;
            Grace = _lease / 10;
            _started = owner._timeProvider.GetTimestamp();
            _renewedAt = claimedAt;
            _tick = owner.TickInterval;
            owner._guards.TryAdd(this, 0);
            if (owner._aborting.IsCancellationRequested)
            {
                // Shutdown gave up waiting before this attempt registered: it did not see this guard.
                Cancel(CancelReason.Shutdown);
            }
        }

        /// <summary>Gets the handlers' cancellation token.</summary>
        public CancellationToken Token => _cancel.Token;

        /// <summary>Gets a token that fires when a cancelled handler has not returned within <see cref="Grace"/>.</summary>
        public CancellationToken Abandon
        {
            get
            {
                CancellationTokenSource abandon = LazyInitializer.EnsureInitialized(ref _abandon);

                // The ticker may have decided before the source existed: it sets the flag first, then cancels what it finds.
                if (Volatile.Read(ref _abandoned) == 1)
                {
                    abandon.Cancel();
                }

                return abandon.Token;
            }
        }

        /// <summary>Gets how long a cancelled handler is waited for.</summary>
        public TimeSpan Grace { get; }

        /// <summary>
        /// Stops watching. A renewal still in flight is not waited for: a hung store call must not hold up the write-back, and a
        /// renewal that lands after the write-back is refused by the store (the event is no longer processing under this token).
        /// </summary>
        public void StopRenewing() => _owner._guards.TryRemove(this, out _);

        public void Dispose()
        {
            StopRenewing();
            if (Volatile.Read(ref _abandoned) == 0)
            {
                // A handler that was given up on may still observe these tokens: they are left to the garbage collector.
                _cancel.Dispose();
                _abandon?.Dispose();
            }
        }

        /// <summary>Gets why the handlers were cancelled; <see cref="CancelReason.None"/> while they were not.</summary>
        public CancelReason Reason => (CancelReason)Volatile.Read(ref _reason);

        /// <summary>Cancels the handlers (deadline, lease at risk or lost, or shutdown); the first call counts.</summary>
        public void Cancel(CancelReason reason)
        {
            if (Interlocked.CompareExchange(ref _reason, (int)reason, 0) == 0)
            {
                Interlocked.Exchange(ref _cancelledAt, _owner._timeProvider.GetTimestamp());
                _cancel.Cancel();
            }
        }

        /// <summary>Tells whether the lease has ended without a renewal while this attempt is still watched.</summary>
        public bool IsPastLease(long now) => _owner._timeProvider.GetElapsedTime(Interlocked.Read(ref _renewedAt), now) >= _lease;

        public void OnTick(long now)
        {
            TimeProvider clock = _owner._timeProvider;
            long cancelledAt = Interlocked.Read(ref _cancelledAt);
            if (cancelledAt != 0)
            {
                if (clock.GetElapsedTime(cancelledAt, now) >= Grace && Interlocked.Exchange(ref _abandoned, 1) == 0)
                {
                    Volatile.Read(ref _abandon)?.Cancel();
                }

                return;
            }

            TimeSpan sinceRenewal = clock.GetElapsedTime(Interlocked.Read(ref _renewedAt), now);
            if (clock.GetElapsedTime(_started, now) >= _handlerTimeout)
            {
                Cancel(CancelReason.Deadline);
            }
            else if (sinceRenewal + _tick > _lease * 0.9)
            {
                Cancel(CancelReason.LeaseAtRisk);
            }
            else if (sinceRenewal >= _lease / 3 && Interlocked.CompareExchange(ref _renewing, 1, 0) == 0)
            {
                _ = RenewAsync(now);
            }
        }

        private async Task RenewAsync(long at)
        {
            try
            {
                if (await _owner._store.RenewAsync(_claim.Event.Id, _claim.Token, _lease, _owner._writeBack.Token).ConfigureAwait(false))
                {
                    Interlocked.Exchange(ref _renewedAt, at);
                }
                else
                {
                    // Another worker owns the event now (or it was deleted): stop at once.
                    Cancel(CancelReason.LeaseLost);
                }
            }
            catch (OperationCanceledException) when (_owner._writeBack.IsCancellationRequested)
            {
                // Shutdown gave up on write-backs: the claim expires.
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The store did not answer: keep going while the lease lasts, and try again at the next tick.
                _owner._metrics.StoreErrors.Add(1);
            }
            finally
            {
                Volatile.Write(ref _renewing, 0);
            }
        }
    }

    /// <summary>Why an attempt's handlers were cancelled.</summary>
    private enum CancelReason
    {
        None,

        /// <summary>The handlers outlived <see cref="WebhookWorkQueueOptions.HandlerTimeout"/>: the attempt failed.</summary>
        Deadline,

        /// <summary>The lease could not be renewed (the store did not answer) and would end: the attempt was interrupted.</summary>
        LeaseAtRisk,

        /// <summary>The store refused a renewal: another claim owns the event now.</summary>
        LeaseLost,

        /// <summary>The host is stopping: the attempt was interrupted.</summary>
        Shutdown,
    }
}
