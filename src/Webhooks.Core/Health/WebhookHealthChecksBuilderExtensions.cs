using System;
using System.Collections.Generic;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Webhooks.Diagnostics;
using Webhooks.Health;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the webhook receiver's health check.</summary>
public static class WebhookHealthChecksBuilderExtensions
{
    /// <summary>The default name of the check.</summary>
    public const string DefaultName = "webhooks";

    /// <summary>
    /// Adds a check of the webhook receiver: Unhealthy when the event store does not answer (within <paramref name="timeout"/>) or this
    /// process's dispatcher is not running; Degraded when dead events wait for attention or the longest-waiting due event has waited
    /// too long (see <see cref="WebhookHealthCheckOptions"/>); Healthy otherwise. Its data holds the counts per status and
    /// <c>oldestDueAgeSeconds</c>.
    /// </summary>
    /// <param name="builder">The health checks builder from <c>AddHealthChecks()</c>.</param>
    /// <param name="configure">Changes the thresholds; optional.</param>
    /// <param name="name">The check's name; <c>webhooks</c> by default.</param>
    /// <param name="tags">Tags to filter the check by (for example <c>ready</c>).</param>
    /// <param name="timeout">How long the store may take to answer; 5 seconds by default.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is negative.</exception>
    public static IHealthChecksBuilder AddWebhookReceiver(
        this IHealthChecksBuilder builder,
        Action<WebhookHealthCheckOptions>? configure = null,
        string name = DefaultName,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new WebhookHealthCheckOptions();
        configure?.Invoke(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.DeadEventsThreshold, nameof(configure));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.OldestDueAgeThreshold, TimeSpan.Zero, nameof(configure));
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new WebhookReceiverHealthCheck(
                sp.GetService<IWebhookEventStore>() ?? throw new InvalidOperationException("The webhook health check needs builder.Services.AddWebhookReceiver()."),
                FindDispatcher(sp),
                sp.GetRequiredService<WebhookStoreStatistics>(),
                options,
                sp.GetRequiredService<TimeProvider>()),
            failureStatus: HealthStatus.Unhealthy,
            tags,
            timeout ?? TimeSpan.FromSeconds(5)));
    }

    private static WebhookDispatcher? FindDispatcher(IServiceProvider services)
    {
        foreach (IHostedService hosted in services.GetServices<IHostedService>())
        {
            if (hosted is WebhookDispatcher dispatcher)
            {
                return dispatcher;
            }
        }

        return null;
    }
}
