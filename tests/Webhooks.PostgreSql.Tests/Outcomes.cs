using System;
using System.Threading;
using System.Threading.Tasks;
using System.Diagnostics.Metrics;

namespace Webhooks.PostgreSql.Tests;

/// <summary>
/// Listens to the outcomes the receiver and the sender count (processed, retried, dead), which they count once their store has
/// recorded them: a wait looks again at each one, for at most 20 seconds, rather than on a timer.
/// </summary>
public sealed class Outcomes : IDisposable
{
    private readonly MeterListener _listener = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Outcomes()
    {
        _listener.InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name is "Webhooks" or "Webhooks.Sender"
                && (instrument.Name.EndsWith(".processed", StringComparison.Ordinal) || instrument.Name.EndsWith(".retried", StringComparison.Ordinal) || instrument.Name.EndsWith(".dead", StringComparison.Ordinal)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Exchange(ref _changed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult());
        _listener.Start();
    }

    /// <summary>Whether <paramref name="condition"/> became true within 20 seconds, looked at now and after each outcome.</summary>
    public async Task<bool> WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            // Taken before the look, so that an outcome counted during it still wakes the wait.
            Task changed = Volatile.Read(ref _changed).Task;
            if (await condition())
            {
                return true;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
