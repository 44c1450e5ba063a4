using System;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Processing;

internal sealed partial class WebhookDispatcher
{
    /// <summary>
    /// Keeps the hold of a handler's run whose attempt gave up on it (it ignored its cancellation): renewed while the handler still
    /// runs, so that no later attempt of the event starts it again meanwhile, and ended with its outcome when it returns. After
    /// <see cref="WebhookWorkQueueOptions.HandlerTimeout"/> more, the hold is let go and the next attempt runs the handler again.
    /// </summary>
    private void KeepStuckRun(string id, long token, string handler, Task running)
    {
        var run = new StuckRun(this, id, token, handler);
        _stuckRuns.TryAdd(run, 0);
        _ = running.ContinueWith(
            static (task, state) => ((StuckRun)state!).OnReturned(task),
            run,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>One stuck handler's run, driven by the dispatcher's ticker.</summary>
    private sealed class StuckRun(WebhookDispatcher owner, string id, long token, string handler)
    {
        private readonly long _abandonedAt = owner._timeProvider.GetTimestamp();
        private long _renewedAt = owner._timeProvider.GetTimestamp();
        private int _renewing;

        public void OnTick(long now)
        {
            TimeProvider clock = owner._timeProvider;
            TimeSpan bound = owner._options.HandlerTimeout;
            if (clock.GetElapsedTime(_abandonedAt, now) >= bound)
            {
                if (TryLetGo())
                {
                    Log.StuckRunReleased(owner._logger, id, handler, bound);
                    _ = EndAsync(succeeded: false);
                }

                return;
            }

            TimeSpan lease = owner._options.LeaseDuration;
            if (clock.GetElapsedTime(Interlocked.Read(ref _renewedAt), now) >= lease / 3 && Interlocked.CompareExchange(ref _renewing, 1, 0) == 0)
            {
                _ = RenewAsync(now, lease);
            }
        }

        public void OnReturned(Task task)
        {
            owner._metrics.StuckHandlers.Add(-1);
            Interlocked.Decrement(ref owner._stuck);
            if (TryLetGo())
            {
                _ = EndAsync(task.IsCompletedSuccessfully);
            }
        }

        private bool TryLetGo() => owner._stuckRuns.TryRemove(this, out _);

        private async Task EndAsync(bool succeeded)
        {
            try
            {
                await owner._store.EndHandlerAsync(id, token, handler, succeeded, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The hold ends by itself a lease later.
                owner._metrics.StoreErrors.Add(1);
            }
        }

        private async Task RenewAsync(long at, TimeSpan lease)
        {
            try
            {
                if (await owner._store.RenewHandlerAsync(id, token, lease, owner._writeBack.Token).ConfigureAwait(false))
                {
                    Interlocked.Exchange(ref _renewedAt, at);
                }
                else
                {
                    // The hold was lost (its lease ended during a store outage and a later attempt took the run over).
                    TryLetGo();
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                owner._metrics.StoreErrors.Add(1);
            }
            finally
            {
                Volatile.Write(ref _renewing, 0);
            }
        }
    }
}
