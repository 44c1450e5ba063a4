using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using Webhooks.Storage;

namespace Webhooks.Diagnostics;

/// <summary>
/// The last counts read from the event store (by the dispatcher's periodic sample, or a health check), reported by the
/// observable gauges <c>webhooks.events</c> and <c>webhooks.events.oldest_due_age</c>: a gauge is read synchronously, and a
/// store call must never block it. A sample older than three periods is not reported.
/// </summary>
internal sealed class WebhookStoreStatistics(TimeProvider timeProvider)
{
    /// <summary>How often the dispatcher samples the counts.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(15);

    private static readonly string[] StatusNames = ["queued", "processing", "processed", "failed", "dead"];

    private Snapshot? _last;

    public void Update(WebhookEventCounts counts) => _last = new Snapshot(counts, timeProvider.GetUtcNow());

    public IEnumerable<Measurement<long>> Events()
    {
        if (Current() is not { } counts)
        {
            yield break;
        }

        for (int status = 0; status < StatusNames.Length; status++)
        {
            yield return new Measurement<long>(counts[(WebhookEventStatus)status], new KeyValuePair<string, object?>("webhook.status", StatusNames[status]));
        }
    }

    public IEnumerable<Measurement<double>> OldestDueAge()
    {
        if (Current() is { } counts)
        {
            TimeSpan age = counts.OldestDueAt is { } due ? timeProvider.GetUtcNow() - due : TimeSpan.Zero;
            yield return new Measurement<double>(Math.Max(age.TotalSeconds, 0));
        }
    }

    private WebhookEventCounts? Current() =>
        _last is { } last && timeProvider.GetUtcNow() - last.At <= SampleInterval * 3 ? last.Counts : null;

    private sealed record Snapshot(WebhookEventCounts Counts, DateTimeOffset At);
}
