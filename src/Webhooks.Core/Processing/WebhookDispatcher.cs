using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Webhooks.Diagnostics;
using Webhooks.Idempotency;
using Webhooks.Storage;

namespace Webhooks.Processing;

/// <summary>
/// The hosted service that processes queued events: it takes ids from the in-process queue, leases each through the
/// <see cref="IIdempotencyStore"/>, runs the matching handlers in a fresh scope, records the outcome, schedules retries, and
/// moves exhausted events to dead. A poller recovers due work from the <see cref="IEventStore"/> at start and then regularly.
/// </summary>
/// <remarks>
/// On shutdown it stops taking new work and lets running handlers finish; if the host's shutdown timeout passes first, their
/// cancellation token fires and the event is left queued for the next start.
/// </remarks>
internal sealed partial class WebhookDispatcher : IHostedService, IDisposable
{
    private readonly IEventStore _store;
    private readonly IIdempotencyStore _idempotency;
    private readonly IRetryPolicy _retryPolicy;
    private readonly WebhookWorkQueue _queue;
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly IReadOnlyList<WebhookHandlerRegistration> _registrations;
    private readonly WebhookReceiverOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly WebhookMetrics _metrics;
    private readonly ILogger _logger;

    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _aborting = new();
    private Task[] _loops = [];

    public WebhookDispatcher(
        IEventStore store,
        IIdempotencyStore idempotency,
        IRetryPolicy retryPolicy,
        WebhookWorkQueue queue,
        IServiceScopeFactory scopeFactory,
        IEnumerable<WebhookHandlerRegistration> registrations,
        IOptions<WebhookReceiverOptions> options,
        TimeProvider timeProvider,
        WebhookMetrics metrics,
        ILogger<WebhookDispatcher>? logger = null)
    {
        _store = store;
        _idempotency = idempotency;
        _retryPolicy = retryPolicy;
        _queue = queue;
        _scopeFactory = scopeFactory;
        _registrations = [.. registrations];
        _options = options.Value;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        int workers = _options.Processing.Concurrency;
        var loops = new Task[workers + 1];
        for (int i = 0; i < workers; i++)
        {
            loops[i] = Task.Run(WorkAsync, CancellationToken.None);
        }

        loops[workers] = Task.Run(PollAsync, CancellationToken.None);
        _loops = loops;
        Log.Started(_logger, workers);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout passed: cancel the running handlers; each gives its event back as queued
            // (or, if the process ends first, the event's lease expires and it is recovered at the next start).
            await _aborting.CancelAsync().ConfigureAwait(false);
            Log.StopTimedOut(_logger);
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _aborting.Dispose();
    }

    private async Task WorkAsync()
    {
        CancellationToken stopping = _stopping.Token;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                while (!stopping.IsCancellationRequested && _queue.Reader.TryRead(out string? id))
                {
                    try
                    {
                        await ProcessAsync(id).ConfigureAwait(false);
                    }
                    finally
                    {
                        _queue.Done(id);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: what is still queued stays queued in the store.
        }
    }

    private async Task PollAsync()
    {
        CancellationToken stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                IReadOnlyList<string> due = await _store.GetDueAsync(_timeProvider.GetUtcNow(), _options.Processing.PollBatchSize, stopping).ConfigureAwait(false);
                int queued = 0;
                foreach (string id in due)
                {
                    if (_queue.TryEnqueue(id))
                    {
                        queued++;
                    }
                }

                if (queued > 0)
                {
                    Log.Recovered(_logger, queued);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.PollFailed(_logger, ex);
            }

            try
            {
                await Task.Delay(_options.Processing.PollInterval, _timeProvider, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Webhook dispatcher started with {Workers} workers.")]
        public static partial void Started(ILogger logger, int workers);

        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Webhook dispatcher did not stop within the shutdown timeout; running handlers were cancelled and their events stay queued.")]
        public static partial void StopTimedOut(ILogger logger);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Queued {Count} due webhook events from the store (retries, or work left by a stopped process).")]
        public static partial void Recovered(ILogger logger, int count);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "Could not read due webhook events from the store; trying again at the next poll.")]
        public static partial void PollFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Webhook {EventId} processed (attempt {Attempt}).")]
        public static partial void Processed(ILogger logger, string eventId, int attempt);

        [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "Webhook {EventId} has no handler for source {Source} and type {EventType}; recorded as processed.")]
        public static partial void Unhandled(ILogger logger, string eventId, string source, string eventType);

        [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "Webhook {EventId} attempt {Attempt} failed; retrying in {Delay}.")]
        public static partial void WillRetry(ILogger logger, Exception exception, string eventId, int attempt, TimeSpan delay);

        [LoggerMessage(EventId = 1113, Level = LogLevel.Error, Message = "Webhook {EventId} is dead after {Attempt} attempts.")]
        public static partial void Dead(ILogger logger, Exception exception, string eventId, int attempt);

        [LoggerMessage(EventId = 1114, Level = LogLevel.Warning, Message = "Webhook {EventId}: the lease expired before the attempt ended; another worker owns it now and this result is discarded.")]
        public static partial void LeaseLost(ILogger logger, string eventId);

        [LoggerMessage(EventId = 1115, Level = LogLevel.Error, Message = "Webhook {EventId} could not be processed because a store failed; it will be picked up again.")]
        public static partial void StoreFailed(ILogger logger, Exception exception, string eventId);

        [LoggerMessage(EventId = 1116, Level = LogLevel.Information, Message = "Webhook {EventId} attempt {Attempt} was interrupted by shutdown; left queued.")]
        public static partial void Interrupted(ILogger logger, string eventId, int attempt);
    }
}
