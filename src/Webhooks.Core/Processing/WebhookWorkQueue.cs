using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Webhooks.Diagnostics;
using Webhooks.Storage;

namespace Webhooks.Processing;

/// <summary>
/// A leased work queue over an <see cref="IWebhookEventStore"/>: its workers claim due events (a lease and a fencing token, on the
/// store's clock), run the handlers each event matches in a fresh scope, and complete it, retry it with backoff or make it dead;
/// an attempt interrupted by a crash, an outage or shutdown is taken over or given back without being counted. The receiver runs
/// one over its event store (<c>AddWebhookReceiver()</c> registers it); the sender runs one over its outbox. Run it as a hosted
/// service, in any number of processes on one store.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A work queue in the sense of leased jobs, not a collection.")]
public sealed class WebhookWorkQueue : IHostedService, IDisposable
{
    private readonly WebhookWorkSignal _signal = new();

    /// <summary>Creates a queue; it works once started.</summary>
    /// <param name="store">The store whose events it works off.</param>
    /// <param name="handlers">Which handler types run for which source and event type.</param>
    /// <param name="options">Concurrency, lease, handler timeout, polling; read once, here.</param>
    /// <param name="scopeFactory">Makes the scope each attempt's handlers are resolved in.</param>
    /// <param name="retryPolicy">When a failed attempt is tried again; <see cref="ExponentialBackoffRetryPolicy"/> with its defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock of timers and deadlines; the system's when <see langword="null"/>.</param>
    /// <param name="meterFactory">Makes the meter of its instruments; a meter of its own when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Makes its logger; nothing is logged when <see langword="null"/>.</param>
    /// <param name="meterName">The meter's name: <c>Webhooks</c> by default.</param>
    /// <param name="metricPrefix">The instruments' prefix: <c>webhooks</c> by default (<c>webhooks.processed</c>, …).</param>
    /// <exception cref="ArgumentNullException">An argument other than the optional ones is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting of <paramref name="options"/> is out of its range.</exception>
    public WebhookWorkQueue(
        IWebhookEventStore store,
        IEnumerable<WebhookHandlerRegistration> handlers,
        WebhookWorkQueueOptions options,
        IServiceScopeFactory scopeFactory,
        IRetryPolicy? retryPolicy = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null,
        ILoggerFactory? loggerFactory = null,
        string meterName = WebhookDiagnostics.Name,
        string metricPrefix = "webhooks")
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scopeFactory);
        ArgumentException.ThrowIfNullOrWhiteSpace(meterName);
        ArgumentException.ThrowIfNullOrWhiteSpace(metricPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ClaimBatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.LeaseDuration, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.HandlerTimeout, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PollInterval, TimeSpan.Zero, nameof(options));

        // A copy: the settings are read once, here, whatever the caller changes later.
        var settings = new WebhookWorkQueueOptions();
        options.CopyTo(settings);
        Dispatcher = new WebhookDispatcher(
            store,
            retryPolicy ?? new ExponentialBackoffRetryPolicy(new RetryOptions()),
            _signal,
            scopeFactory,
            handlers,
            settings,
            timeProvider ?? TimeProvider.System,
            new WebhookMetrics(meterFactory, null, meterName, metricPrefix),
            loggerFactory?.CreateLogger<WebhookDispatcher>(),
            statistics: null);
    }

    /// <summary>Gets the dispatcher that does the work.</summary>
    internal WebhookDispatcher Dispatcher { get; }

    /// <summary>
    /// Says that work was stored (an event appended or queued again): an idle worker claims it now instead of at its next poll.
    /// Work stored by other processes is found by polling.
    /// </summary>
    public void Notify() => _signal.Notify();

    /// <summary>Starts claiming and working off due events.</summary>
    /// <param name="cancellationToken">Not used: starting does not wait.</param>
    /// <returns>A completed task.</returns>
    public Task StartAsync(CancellationToken cancellationToken) => Dispatcher.StartAsync(cancellationToken);

    /// <summary>Stops claiming, lets running handlers finish until <paramref name="cancellationToken"/> fires, then gives the rest back.</summary>
    /// <param name="cancellationToken">Fires when the handlers must stop (the host's shutdown timeout).</param>
    /// <returns>A task that completes when the queue has stopped and its write-backs are made.</returns>
    public Task StopAsync(CancellationToken cancellationToken) => Dispatcher.StopAsync(cancellationToken);

    /// <summary>Releases the timers and the signal.</summary>
    public void Dispose()
    {
        Dispatcher.Dispose();
        _signal.Dispose();
    }
}
