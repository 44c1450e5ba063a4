using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Webhooks.Redis.Tests;

/// <summary>
/// Completes when the given hosts have processed a number of events, counted from their <c>webhooks.processed</c> metric (recorded
/// once the store has taken the completion): the tests wait for that signal instead of polling the store.
/// </summary>
internal sealed class ProcessedSignal : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<(long Count, TaskCompletionSource Done)> _waiters = [];
    private long _processed;

    public ProcessedSignal(params IServiceProvider[] hosts)
    {
        var scopes = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (IServiceProvider host in hosts)
        {
            scopes.Add(host.GetRequiredService<IMeterFactory>());
        }

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "webhooks.processed" && instrument.Meter.Scope is { } scope && scopes.Contains(scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Add(value));
        _listener.Start();
    }

    public long Processed => Interlocked.Read(ref _processed);

    /// <summary>Completes once <paramref name="count"/> events were processed; fails after <paramref name="within"/>.</summary>
    public Task WaitForAsync(long count, TimeSpan within)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (Processed >= count)
            {
                return Task.CompletedTask;
            }

            _waiters.Add((count, done));
        }

        return done.Task.WaitAsync(within);
    }

    private void Add(long value)
    {
        long now = Interlocked.Add(ref _processed, value);
        lock (_gate)
        {
            _waiters.RemoveAll(w =>
            {
                if (now < w.Count)
                {
                    return false;
                }

                w.Done.TrySetResult();
                return true;
            });
        }
    }

    public void Dispose() => _listener.Dispose();
}
