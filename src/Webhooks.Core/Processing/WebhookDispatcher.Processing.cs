using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Idempotency;
using Webhooks.Storage;

namespace Webhooks.Processing;

internal sealed partial class WebhookDispatcher
{
    private const int MaxErrorLength = 2000;

    /// <summary>
    /// The idempotency key of one handler's work on one event: <c>&lt;event id&gt;/&lt;handler&gt;</c>, with <c>@&lt;generation&gt;</c>
    /// appended after a forced replay, so that a retry skips handlers that succeeded and a forced replay runs them all.
    /// </summary>
    internal static string HandlerKey(WebhookEvent webhookEvent, WebhookHandlerRegistration registration) =>
        webhookEvent.Generation == 0
            ? string.Concat(webhookEvent.Id, "/", registration.Name)
            : string.Concat(webhookEvent.Id, "/", registration.Name, "@", webhookEvent.Generation.ToString(CultureInfo.InvariantCulture));

    /// <summary>Runs one claimed attempt and writes its outcome; never throws.</summary>
    internal async Task RunAttemptAsync(WebhookClaim claim)
    {
        try
        {
            await ProcessAsync(claim).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The outcome could not be written: the claim expires and the event is claimed again (by anyone).
            _metrics.StoreErrors.Add(1);
            Log.WriteBackFailed(_logger, ex, claim.Event.Id, claim.Event.Attempts);
        }
        finally
        {
            if (Interlocked.Decrement(ref _running) == 0 && _stopping.IsCancellationRequested)
            {
                _drained.TrySetResult();
            }

            // A slot is free: wake the pump. Idleness is counted down only after the wake-up is visible.
            _signal.Notify();
            Interlocked.Decrement(ref _busy);
        }
    }

    private async Task ProcessAsync(WebhookClaim claim)
    {
        WebhookEvent webhookEvent = claim.Event;
        int attempt = webhookEvent.Attempts;
        var tags = new TagList { { "webhook.source", webhookEvent.Source }, { "webhook.event_type", webhookEvent.EventType } };
        using Activity? activity = StartProcessActivity(webhookEvent);
        activity?.SetTag("webhook.id", webhookEvent.Id);
        activity?.SetTag("webhook.source", webhookEvent.Source);
        activity?.SetTag("webhook.event_type", webhookEvent.EventType);
        activity?.SetTag("webhook.attempt", attempt);

        long started = _timeProvider.GetTimestamp();
        AttemptOutcome outcome;
        using (var guard = new AttemptGuard(this, claim))
        {
            outcome = await RunHandlersAsync(webhookEvent, guard).ConfigureAwait(false);
            guard.StopRenewing();
        }

        _metrics.HandlerDuration.Record(_timeProvider.GetElapsedTime(started).TotalSeconds, tags);
        CancellationToken writeBack = _writeBack.Token;

        if (outcome.Failure is null)
        {
            if (!await _store.CompleteAsync(webhookEvent.Id, claim.Token, outcome.Unhandled, writeBack).ConfigureAwait(false))
            {
                LeaseLost(webhookEvent.Id, activity);
                return;
            }

            _metrics.Processed.Add(1, tags);
            if (outcome.Unhandled)
            {
                Log.Unhandled(_logger, webhookEvent.Id, webhookEvent.Source, webhookEvent.EventType);
            }
            else
            {
                Log.Processed(_logger, webhookEvent.Id, attempt);
            }

            return;
        }

        if (outcome.Interrupted)
        {
            // Shutdown, not the handler's fault: give the attempt back, uncounted.
            if (await _store.ReleaseAsync(webhookEvent.Id, claim.Token, writeBack).ConfigureAwait(false))
            {
                Log.Interrupted(_logger, webhookEvent.Id, attempt);
            }
            else
            {
                LeaseLost(webhookEvent.Id, activity);
            }

            return;
        }

        Exception failure = outcome.Failure;
        _metrics.Failed.Add(1, tags);
        activity?.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
        TimeSpan? delay = failure is WebhookPermanentFailureException ? null : _retryPolicy.GetRetryDelay(attempt, failure);
        if (!await _store.FailAsync(webhookEvent.Id, claim.Token, Describe(failure), delay, writeBack).ConfigureAwait(false))
        {
            LeaseLost(webhookEvent.Id, activity);
            return;
        }

        if (delay is { } wait)
        {
            _metrics.Retried.Add(1, tags);
            Log.WillRetry(_logger, failure, webhookEvent.Id, attempt, wait);
        }
        else
        {
            _metrics.Dead.Add(1, tags);
            Log.Dead(_logger, failure, webhookEvent.Id, attempt);
        }
    }

    /// <summary>Runs, in one scope, each matching handler that has not yet succeeded for this event and generation.</summary>
    private async ValueTask<AttemptOutcome> RunHandlersAsync(WebhookEvent webhookEvent, AttemptGuard guard)
    {
        bool any = false;
        Exception? failure = null;
        TimeSpan keyLease = _options.Processing.HandlerTimeout + _options.Processing.LeaseDuration;
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
                if (guard.Token.IsCancellationRequested)
                {
                    failure ??= new OperationCanceledException(guard.Token);
                    break;
                }

                string key = HandlerKey(webhookEvent, registration);
                IdempotencyBeginResult begin;
                try
                {
                    begin = await _ledger.TryBeginAsync(key, keyLease, guard.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The ledger is down or full: this attempt fails and is retried on the policy's schedule.
                    failure ??= ex;
                    break;
                }

                if (begin.Status == IdempotencyStatus.AlreadyProcessed)
                {
                    continue;
                }

                if (begin.Status == IdempotencyStatus.InProgress)
                {
                    failure ??= new WebhookHandlerBusyException(registration.Name);
                    continue;
                }

                Exception? handlerFailure = await RunHandlerAsync(scope.ServiceProvider, registration, webhookEvent, guard).ConfigureAwait(false);
                failure ??= handlerFailure;
                try
                {
                    if (handlerFailure is null && !await _ledger.CompleteAsync(key, begin.Token, _options.ProcessedRetention, _writeBack.Token).ConfigureAwait(false))
                    {
                        // The key's lease ran out under a handler that outlived it: its success cannot be recorded, so the
                        // event fails and the handler may run again (handlers are at-least-once).
                        failure ??= new WebhookHandlerBusyException(registration.Name);
                    }
                    else if (handlerFailure is not null and not WebhookHandlerStuckException)
                    {
                        // A stuck handler keeps its key until the key's lease ends, so that no other attempt runs it meanwhile.
                        await _ledger.ReleaseAsync(key, begin.Token, _writeBack.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    failure ??= ex;
                }
            }
        }

        bool interrupted = failure is OperationCanceledException && _aborting.IsCancellationRequested;
        return new AttemptOutcome(failure, !any, interrupted);
    }

    /// <summary>Runs one handler; a handler that outlives its cancellation by the grace period is left running and reported stuck.</summary>
    private async Task<Exception?> RunHandlerAsync(IServiceProvider services, WebhookHandlerRegistration registration, WebhookEvent webhookEvent, AttemptGuard guard)
    {
        Task running;
        try
        {
            var handler = (IWebhookHandler)services.GetRequiredService(registration.HandlerType);
            running = handler.HandleAsync(webhookEvent, guard.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ex;
        }

        try
        {
            await (running.IsCompleted ? running : running.WaitAsync(guard.Abandon)).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (!running.IsCompleted && guard.Abandon.IsCancellationRequested)
        {
            _metrics.StuckHandlers.Add(1);
            Interlocked.Increment(ref _stuck);
            Log.HandlerStuck(_logger, webhookEvent.Id, registration.Name, guard.Grace);
            _ = running.ContinueWith(
                static (_, state) =>
                {
                    var dispatcher = (WebhookDispatcher)state!;
                    dispatcher._metrics.StuckHandlers.Add(-1);
                    Interlocked.Decrement(ref dispatcher._stuck);
                },
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return new WebhookHandlerStuckException(registration.Name);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ex;
        }
    }

    /// <summary>The attempt's span, a new trace linked to the span of the request that received the event (when it was traced).</summary>
    private static Activity? StartProcessActivity(WebhookEvent webhookEvent)
    {
        ActivitySource source = Diagnostics.WebhookDiagnostics.ActivitySource;
        if (!source.HasListeners())
        {
            return null;
        }

        ActivityLink[]? links = webhookEvent.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, null, out ActivityContext received)
            ? [new ActivityLink(received)]
            : null;
        return source.StartActivity("webhook.process", ActivityKind.Consumer, default(ActivityContext), tags: null, links: links);
    }

    private void LeaseLost(string id, Activity? activity)
    {
        _metrics.LeaseLost.Add(1);
        activity?.SetStatus(ActivityStatusCode.Error, "lease lost");
        Log.LeaseLost(_logger, id);
    }

    private static string Describe(Exception exception)
    {
        string text = string.Concat(exception.GetType().FullName, ": ", exception.Message);
        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }

    private readonly record struct AttemptOutcome(Exception? Failure, bool Unhandled, bool Interrupted);
}
