using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Webhooks.Diagnostics;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks.Health;

/// <summary>
/// Unhealthy when the event store does not answer or this process's dispatcher is not running; Degraded when dead events wait
/// for attention or due events wait too long; Healthy otherwise. The data holds the counts per status and the lag.
/// </summary>
internal sealed class WebhookReceiverHealthCheck(
    IWebhookEventStore store,
    WebhookDispatcher? dispatcher,
    WebhookStoreStatistics statistics,
    WebhookHealthCheckOptions options,
    TimeProvider timeProvider) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (dispatcher is null || !dispatcher.IsRunning)
        {
            return HealthCheckResult.Unhealthy("The webhook dispatcher is not running: stored events are not processed by this process.");
        }

        WebhookEventCounts counts;
        try
        {
            counts = await store.CountAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebhookStoreUnavailableException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return HealthCheckResult.Unhealthy("The webhook event store does not answer: deliveries are refused with 503.", ex);
        }

        statistics.Update(counts);
        TimeSpan lag = counts.OldestDueAt is { } due ? Max(timeProvider.GetUtcNow() - due, TimeSpan.Zero) : TimeSpan.Zero;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["queued"] = counts.Queued,
            ["processing"] = counts.Processing,
            ["processed"] = counts.Processed,
            ["failed"] = counts.Failed,
            ["dead"] = counts.Dead,
            ["oldestDueAgeSeconds"] = Math.Round(lag.TotalSeconds, 3),
        };

        if (options.DeadEventsThreshold > 0 && counts.Dead >= options.DeadEventsThreshold)
        {
            return HealthCheckResult.Degraded(
                string.Create(CultureInfo.InvariantCulture, $"{counts.Dead} dead webhook event(s) wait to be replayed or deleted."), data: data);
        }

        if (options.OldestDueAgeThreshold > TimeSpan.Zero && lag >= options.OldestDueAgeThreshold)
        {
            return HealthCheckResult.Degraded(
                string.Create(CultureInfo.InvariantCulture, $"The oldest due webhook event has waited {lag:c} for a worker."), data: data);
        }

        return HealthCheckResult.Healthy("The webhook store answers and the dispatcher runs.", data);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
