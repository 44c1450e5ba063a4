using System.Diagnostics.Metrics;

namespace Webhooks.Diagnostics;

/// <summary>The library's instruments. Tags: <c>webhook.source</c>, and <c>webhook.event_type</c> where known.</summary>
internal sealed class WebhookMetrics
{
    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">Makes the meter; a new meter when <see langword="null"/>.</param>
    /// <param name="statistics">The store's counts, for the gauges; none when <see langword="null"/>.</param>
    /// <param name="meterName">The meter's name: the receiver's by default (the sender's outbox has its own).</param>
    /// <param name="prefix">The instruments' name prefix: <c>webhooks</c> by default.</param>
    public WebhookMetrics(IMeterFactory? meterFactory = null, WebhookStoreStatistics? statistics = null, string meterName = WebhookDiagnostics.Name, string prefix = "webhooks")
    {
        Meter meter = meterFactory?.Create(meterName) ?? new Meter(meterName);
        Meter = meter;
        if (statistics is not null)
        {
            meter.CreateObservableGauge(prefix + ".events", statistics.Events, "{event}", "Stored events per status (tag webhook.status), as last sampled from the store.");
            meter.CreateObservableGauge(prefix + ".events.oldest_due_age", statistics.OldestDueAge, "s", "How long the longest-waiting due event has waited for a worker, as last sampled from the store.");
        }

        Received = meter.CreateCounter<long>(prefix + ".received", "{event}", "Deliveries accepted and stored.");
        Duplicates = meter.CreateCounter<long>(prefix + ".duplicates", "{event}", "Deliveries already stored (including conflicting ones).");
        Processed = meter.CreateCounter<long>(prefix + ".processed", "{event}", "Events processed successfully.");
        Failed = meter.CreateCounter<long>(prefix + ".failed", "{attempt}", "Processing attempts that failed.");
        Retried = meter.CreateCounter<long>(prefix + ".retried", "{event}", "Failed attempts scheduled for a retry.");
        Dead = meter.CreateCounter<long>(prefix + ".dead", "{event}", "Events whose retries are exhausted or whose failure was permanent.");
        LeaseLost = meter.CreateCounter<long>(prefix + ".lease_lost", "{attempt}", "Attempts whose result was refused because another worker owns the event now.");
        StoreErrors = meter.CreateCounter<long>(prefix + ".store.errors", "{error}", "Store calls of the dispatcher that failed.");
        StuckHandlers = meter.CreateUpDownCounter<long>(prefix + ".handlers.stuck", "{handler}", "Handlers still running after they were cancelled and given a grace period; each holds no worker slot but may still cause effects, and keeps its event's other attempts from running it again.");
        Interrupted = meter.CreateCounter<long>(prefix + ".interrupted", "{attempt}", "Claims that took over an attempt interrupted before it ended (its process stopped or lost the store): not counted as attempts.");
        Deferred = meter.CreateCounter<long>(prefix + ".deferred", "{attempt}", "Attempts given back uncounted because a handler of the event still runs under an earlier attempt (see handlers.stuck).");
        HandlerDuration = meter.CreateHistogram<double>(prefix + ".handler.duration", "s", "Time spent running the handlers of one attempt.");
    }

    /// <summary>Gets the meter, for instruments that other parts observe (the dispatcher's handlers past their lease).</summary>
    public Meter Meter { get; }

    public Counter<long> Received { get; }

    public Counter<long> Duplicates { get; }

    public Counter<long> Processed { get; }

    public Counter<long> Failed { get; }

    public Counter<long> Retried { get; }

    public Counter<long> Dead { get; }

    public Counter<long> LeaseLost { get; }

    public Counter<long> StoreErrors { get; }

    public UpDownCounter<long> StuckHandlers { get; }

    /// <summary>Gets the counter of interrupted attempts taken over.</summary>
    public Counter<long> Interrupted { get; }

    /// <summary>Gets the counter of attempts deferred behind a stuck handler.</summary>
    public Counter<long> Deferred { get; }

    public Histogram<double> HandlerDuration { get; }
}
