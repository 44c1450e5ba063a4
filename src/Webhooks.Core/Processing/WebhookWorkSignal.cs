using System;
using System.Threading;
using System.Threading.Tasks;

namespace Webhooks.Processing;

/// <summary>
/// Wakes this process's dispatcher when there is work it has not been told about: a delivery accepted or replayed here, or a
/// worker slot freed. Notifications coalesce: however many arrive while the dispatcher is busy, it wakes once.
/// </summary>
internal sealed class WebhookWorkSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);
    private long _notified;

    /// <summary>Gets a value indicating whether a notification is waiting to be taken.</summary>
    public bool IsSet => _semaphore.CurrentCount > 0;

    /// <summary>Gets how many notifications were made; the dispatcher records the count it has acted on.</summary>
    public long Notified => Interlocked.Read(ref _notified);

    public void Notify()
    {
        Interlocked.Increment(ref _notified);
        if (_semaphore.CurrentCount == 0)
        {
            try
            {
                _semaphore.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another notifier got there first: one wake-up is enough.
            }
        }
    }

    /// <summary>Takes a notification that is already waiting, without waiting; <see langword="false"/> when there is none.</summary>
    public bool TryTake() => _semaphore.Wait(0);

    /// <summary>Waits for a notification; throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _semaphore.WaitAsync(cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
