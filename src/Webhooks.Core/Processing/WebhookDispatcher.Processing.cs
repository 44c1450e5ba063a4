using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Diagnostics;
using Webhooks.Idempotency;
using Webhooks.Storage;

namespace Webhooks.Processing;

internal sealed partial class WebhookDispatcher
{
    private const int MaxErrorLength = 2000;

    /// <summary>The idempotency key of an event: its id, with the replay number once it has been replayed.</summary>
    internal static string IdempotencyKey(WebhookEvent webhookEvent) =>
        webhookEvent.ReplayCount == 0 ? webhookEvent.Id : string.Concat(webhookEvent.Id, "#replay-", webhookEvent.ReplayCount.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Processes one event id: never throws; whatever fails is recorded or left for the poller.</summary>
    internal async Task ProcessAsync(string id)
    {
        try
        {
            await ProcessCoreAsync(id).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A store failed mid-way: the event keeps its last recorded state and the poller picks it up when it is due.
            Log.StoreFailed(_logger, ex, id);
        }
    }

    private async Task ProcessCoreAsync(string id)
    {
        WebhookEvent? stored = await _store.GetAsync(id).ConfigureAwait(false);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        if (stored is null || !stored.IsDueAt(now))
        {
            return;
        }

        string key = IdempotencyKey(stored);
        TimeSpan lease = _options.Processing.LeaseDuration;
        IdempotencyBeginResult begin = await _idempotency.TryBeginAsync(key, lease).ConfigureAwait(false);
        if (begin.Status == IdempotencyStatus.AlreadyProcessed)
        {
            // Completed earlier, but the process stopped before the event store was told: record it now.
            await _store.UpdateAsync(id, WebhookEventUpdate.From(stored) with
            {
                Status = WebhookEventStatus.Processed,
                LeaseExpiresAt = null,
                NextAttemptAt = null,
                CompletedAt = stored.CompletedAt ?? now,
            }).ConfigureAwait(false);
            return;
        }

        if (begin.Status == IdempotencyStatus.InProgress)
        {
            return;
        }

        int attempt = stored.Attempts + 1;
        WebhookEvent? processing = await _store.UpdateAsync(id, WebhookEventUpdate.From(stored) with
        {
            Status = WebhookEventStatus.Processing,
            Attempts = attempt,
            NextAttemptAt = null,
            LeaseExpiresAt = now + lease,
        }).ConfigureAwait(false);

        if (processing is null)
        {
            // Changed since it was read (replayed or deleted): let go and let the newer state decide.
            await _idempotency.ReleaseAsync(key, begin.Token).ConfigureAwait(false);
            return;
        }

        var tags = new TagList { { "webhook.source", processing.Source }, { "webhook.event_type", processing.EventType } };
        using Activity? activity = WebhookDiagnostics.ActivitySource.StartActivity("webhook.process", ActivityKind.Consumer);
        activity?.SetTag("webhook.id", id);
        activity?.SetTag("webhook.source", processing.Source);
        activity?.SetTag("webhook.event_type", processing.EventType);
        activity?.SetTag("webhook.attempt", attempt);

        long started = _timeProvider.GetTimestamp();
        Exception? failure = null;
        bool handled = false;
        // Stop the handler a little before the lease ends, so that its result can still be recorded under the lease.
        using (var leaseTimeout = new CancellationTokenSource(lease * 0.9, _timeProvider))
        using (var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(_aborting.Token, leaseTimeout.Token))
        {
            try
            {
                handled = await RunHandlersAsync(processing, attemptCancellation.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }

        _metrics.HandlerDuration.Record(_timeProvider.GetElapsedTime(started).TotalSeconds, tags);
        now = _timeProvider.GetUtcNow();

        if (failure is null)
        {
            await CompleteAsync(processing, key, begin.Token, handled, attempt, now, tags, activity).ConfigureAwait(false);
            return;
        }

        if (_aborting.IsCancellationRequested)
        {
            await InterruptedAsync(processing, key, begin.Token, attempt).ConfigureAwait(false);
            return;
        }

        await FailAsync(processing, key, begin.Token, failure, attempt, now, tags, activity).ConfigureAwait(false);
    }

    private async Task<bool> RunHandlersAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        bool any = false;
        AsyncServiceScope scope = _scopeFactory.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            foreach (WebhookHandlerRegistration registration in _registrations)
            {
                if (!registration.Matches(webhookEvent.Source, webhookEvent.EventType))
                {
                    continue;
                }

                any = true;
                var handler = (IWebhookHandler)scope.ServiceProvider.GetRequiredService(registration.HandlerType);
                await handler.HandleAsync(webhookEvent, cancellationToken).ConfigureAwait(false);
            }
        }

        return any;
    }

    private async Task CompleteAsync(WebhookEvent processing, string key, long token, bool handled, int attempt, DateTimeOffset now, TagList tags, Activity? activity)
    {
        if (!await _idempotency.CompleteAsync(key, token, _options.ProcessedRetention).ConfigureAwait(false))
        {
            Log.LeaseLost(_logger, processing.Id);
            activity?.SetStatus(ActivityStatusCode.Error, "lease lost");
            return;
        }

        await _store.UpdateAsync(processing.Id, Unconditional(processing) with
        {
            Status = WebhookEventStatus.Processed,
            LeaseExpiresAt = null,
            LastError = null,
            CompletedAt = now,
            Unhandled = !handled,
        }).ConfigureAwait(false);

        _metrics.Processed.Add(1, tags);
        if (handled)
        {
            Log.Processed(_logger, processing.Id, attempt);
        }
        else
        {
            Log.Unhandled(_logger, processing.Id, processing.Source, processing.EventType);
        }
    }

    private async Task FailAsync(WebhookEvent processing, string key, long token, Exception failure, int attempt, DateTimeOffset now, TagList tags, Activity? activity)
    {
        _metrics.Failed.Add(1, tags);
        activity?.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
        TimeSpan? delay = failure is WebhookPermanentFailureException ? null : _retryPolicy.GetRetryDelay(attempt, failure);

        if (!await _idempotency.ReleaseAsync(key, token).ConfigureAwait(false))
        {
            Log.LeaseLost(_logger, processing.Id);
            return;
        }

        string error = Describe(failure);
        if (delay is { } wait)
        {
            await _store.UpdateAsync(processing.Id, Unconditional(processing) with
            {
                Status = WebhookEventStatus.Failed,
                LeaseExpiresAt = null,
                NextAttemptAt = now + wait,
                LastError = error,
            }).ConfigureAwait(false);
            _metrics.Retried.Add(1, tags);
            Log.WillRetry(_logger, failure, processing.Id, attempt, wait);
        }
        else
        {
            await _store.UpdateAsync(processing.Id, Unconditional(processing) with
            {
                Status = WebhookEventStatus.Dead,
                LeaseExpiresAt = null,
                NextAttemptAt = null,
                LastError = error,
                CompletedAt = now,
            }).ConfigureAwait(false);
            _metrics.Dead.Add(1, tags);
            Log.Dead(_logger, failure, processing.Id, attempt);
        }
    }

    private async Task InterruptedAsync(WebhookEvent processing, string key, long token, int attempt)
    {
        // Shutdown, not the handler's fault: give the attempt back and leave the event queued for the next start.
        await _idempotency.ReleaseAsync(key, token).ConfigureAwait(false);
        await _store.UpdateAsync(processing.Id, Unconditional(processing) with
        {
            Status = WebhookEventStatus.Queued,
            Attempts = attempt - 1,
            LeaseExpiresAt = null,
        }).ConfigureAwait(false);
        Log.Interrupted(_logger, processing.Id, attempt);
    }

    /// <summary>An update from the event as this worker holds it, applied whatever the stored status: the lease makes this worker its owner.</summary>
    private static WebhookEventUpdate Unconditional(WebhookEvent held) =>
        WebhookEventUpdate.From(held) with { ExpectedStatus = null, ExpectedAttempts = null };

    private static string Describe(Exception exception)
    {
        string text = string.Concat(exception.GetType().FullName, ": ", exception.Message);
        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }
}
