using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Webhooks.Storage;

namespace Webhooks.Processing;

internal sealed partial class WebhookDispatcher
{
    private const int MaxErrorLength = 2000;

    /// <summary>Runs one claimed attempt and writes its outcome; never throws.</summary>
    internal async Task RunAttemptAsync(WebhookClaim claim, long claimedAt)
    {
        try
        {
            await ProcessAsync(claim, claimedAt).ConfigureAwait(false);
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

    private async Task ProcessAsync(WebhookClaim claim, long claimedAt)
    {
        WebhookEvent webhookEvent = claim.Event;
        int attempt = webhookEvent.Attempts;
        var tags = new TagList { { "webhook.source", webhookEvent.Source }, { "webhook.event_type", webhookEvent.EventType } };
        using Activity? activity = StartProcessActivity(webhookEvent);
        activity?.SetTag("webhook.id", webhookEvent.Id);
        activity?.SetTag("webhook.source", webhookEvent.Source);
        activity?.SetTag("webhook.event_type", webhookEvent.EventType);
        activity?.SetTag("webhook.attempt", attempt);
        if (webhookEvent.Interruptions > 0)
        {
            _metrics.Interrupted.Add(1, tags);
            Log.TakenOverInterrupted(_logger, webhookEvent.Id, attempt, webhookEvent.Interruptions);
        }

        long started = _timeProvider.GetTimestamp();
        AttemptOutcome outcome;
        using (var guard = new AttemptGuard(this, claim, claimedAt))
        {
            outcome = await RunHandlersAsync(claim, guard).ConfigureAwait(false);
            guard.StopRenewing();
        }

        _metrics.HandlerDuration.Record(_timeProvider.GetElapsedTime(started).TotalSeconds, tags);
        CancellationToken writeBack = _writeBack.Token;
        switch (outcome.Kind)
        {
            case OutcomeKind.LeaseLost:
                LeaseLost(webhookEvent.Id, activity);
                return;

            case OutcomeKind.Succeeded:
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

            case OutcomeKind.Interrupted or OutcomeKind.StoreLost:
                // Shutdown, or the store out of reach: not the handlers' fault. Give the attempt back, uncounted (after a poll
                // interval when the store failed, so that a store that fails every other call is not asked in a loop); when even
                // that cannot be written, the lease ends and the next claim takes the event over, uncounted too.
                if (outcome.Kind == OutcomeKind.Interrupted
                    ? await _store.ReleaseAsync(webhookEvent.Id, claim.Token, writeBack).ConfigureAwait(false)
                    : await _store.DeferAsync(webhookEvent.Id, claim.Token, _options.PollInterval, writeBack).ConfigureAwait(false))
                {
                    Log.Interrupted(_logger, webhookEvent.Id, attempt);
                }
                else
                {
                    LeaseLost(webhookEvent.Id, activity);
                }

                return;

            case OutcomeKind.Busy:
                // A handler of this event still runs under an earlier attempt (it ignored its cancellation): look again once that
                // run's hold can have ended, without counting this attempt.
                if (await _store.DeferAsync(webhookEvent.Id, claim.Token, _options.LeaseDuration, writeBack).ConfigureAwait(false))
                {
                    _metrics.Deferred.Add(1, tags);
                    Log.Deferred(_logger, webhookEvent.Id, outcome.Handler!, _options.LeaseDuration);
                }
                else
                {
                    LeaseLost(webhookEvent.Id, activity);
                }

                return;
        }

        Exception failure = outcome.Failure!;
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

    /// <summary>
    /// Runs, in one scope, each matching handler type once that has not yet succeeded for this event and generation, each run
    /// held under this attempt's claim. The claim usually holds the run from the start, and the completion records the last
    /// handler's success: an attempt whose handlers all succeed then makes no store call of its own between claim and completion.
    /// </summary>
    private async ValueTask<AttemptOutcome> RunHandlersAsync(WebhookClaim claim, AttemptGuard guard)
    {
        WebhookEvent webhookEvent = claim.Event;
        (bool any, WebhookHandlerRegistration? single, List<WebhookHandlerRegistration>? several) = HandlersToRun(claim);
        int count = several?.Count ?? (single is null ? 0 : 1);
        Exception? failure = null;
        bool holds = claim.HoldsRun;
        AsyncServiceScope scope = _scopeFactory.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            for (int i = 0; i < count; i++)
            {
                WebhookHandlerRegistration registration = several?[i] ?? single!;
                if (guard.Token.IsCancellationRequested)
                {
                    failure ??= new OperationCanceledException(guard.Token);
                    break;
                }

                string name = registration.Name;
                if (!holds)
                {
                    WebhookHandlerBeginResult begin;
                    try
                    {
                        begin = await _store.BeginHandlerAsync(webhookEvent.Id, claim.Token, name, _writeBack.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        return StoreFailed(ex, failure, guard);
                    }

                    if (begin == WebhookHandlerBeginResult.AlreadySucceeded)
                    {
                        continue;
                    }

                    if (begin == WebhookHandlerBeginResult.LeaseLost)
                    {
                        return AttemptOutcome.Of(OutcomeKind.LeaseLost);
                    }

                    if (begin == WebhookHandlerBeginResult.Busy)
                    {
                        // Defer only when nothing else failed: a failure is the attempt's real outcome.
                        return failure is null ? new AttemptOutcome(OutcomeKind.Busy, null, false, name) : Failed(failure, guard);
                    }
                }

                // After this handler the run is ended (or kept by a stuck handler): the next one begins its own.
                holds = false;
                scope.ServiceProvider.GetService<WebhookHandlerContext>()?.Enter(webhookEvent.Id, claim.Token, name);
                (Exception? handlerFailure, Task? stuck) = await RunHandlerAsync(scope.ServiceProvider, registration, webhookEvent, guard).ConfigureAwait(false);
                if (stuck is not null)
                {
                    // The run keeps its hold while the handler still runs, so that no other attempt starts it meanwhile.
                    KeepStuckRun(webhookEvent.Id, claim.Token, name, stuck);
                    failure ??= handlerFailure;
                    continue;
                }

                failure ??= handlerFailure;
                if (handlerFailure is not null && guard.Reason is CancelReason.LeaseAtRisk or CancelReason.LeaseLost)
                {
                    // The store is out of reach, or the event is another claim's: the give-back (or the lease's end) lets go of the run.
                    break;
                }

                if (failure is null && i == count - 1)
                {
                    // The last handler of an attempt that succeeds: the completion records it, with the event.
                    break;
                }

                try
                {
                    if (!await _store.EndHandlerAsync(webhookEvent.Id, claim.Token, name, handlerFailure is null, _writeBack.Token).ConfigureAwait(false) && handlerFailure is null)
                    {
                        // The lease ran out under the handler and a later claim took its run over: that claim owns the event now.
                        return AttemptOutcome.Of(OutcomeKind.LeaseLost);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    return StoreFailed(ex, failure, guard);
                }
            }
        }

        return failure is null ? new AttemptOutcome(OutcomeKind.Succeeded, null, !any, null) : Failed(failure, guard);
    }

    /// <summary>
    /// The handlers an attempt runs, in registration order: each matching handler type once, however many of its registrations
    /// match, except those the claim says succeeded already; and whether any handler matched at all.
    /// </summary>
    private (bool Any, WebhookHandlerRegistration? Single, List<WebhookHandlerRegistration>? Several) HandlersToRun(WebhookClaim claim)
    {
        WebhookEvent webhookEvent = claim.Event;
        bool any = false;
        Type? firstType = null;
        List<Type>? moreTypes = null;
        WebhookHandlerRegistration? single = null;
        List<WebhookHandlerRegistration>? several = null;
        foreach (WebhookHandlerRegistration registration in _registrations)
        {
            if (!registration.Matches(webhookEvent.Source, webhookEvent.EventType))
            {
                continue;
            }

            any = true;
            Type type = registration.HandlerType;
            if (firstType is null)
            {
                firstType = type;
            }
            else if (firstType == type || (moreTypes?.Contains(type) ?? false))
            {
                continue;
            }
            else
            {
                (moreTypes ??= []).Add(type);
            }

            if (Contains(claim.SucceededHandlers, registration.Name))
            {
                continue;
            }

            if (single is null && several is null)
            {
                single = registration;
            }
            else
            {
                (several ??= [single!]).Add(registration);
            }
        }

        return (any, single, several);
    }

    private static bool Contains(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The store failed to begin or end a handler's run: out of reach or too slow, the attempt is interrupted (given back
    /// uncounted) unless a handler failed already; a fault of the store (anything else) fails the attempt.
    /// </summary>
    private static AttemptOutcome StoreFailed(Exception exception, Exception? failure, AttemptGuard guard) =>
        failure is null && exception is WebhookStoreUnavailableException or TimeoutException or OperationCanceledException
            ? AttemptOutcome.Of(OutcomeKind.StoreLost)
            : Failed(failure ?? exception, guard);

    /// <summary>
    /// A failed attempt, unless the failure is not the handlers' own: cancelled for shutdown or because the lease could not be
    /// renewed (an interruption, given back uncounted), or the claim lost.
    /// </summary>
    private static AttemptOutcome Failed(Exception failure, AttemptGuard guard)
    {
        if (failure is OperationCanceledException or WebhookHandlerStuckException)
        {
            switch (guard.Reason)
            {
                case CancelReason.Shutdown:
                    return AttemptOutcome.Of(OutcomeKind.Interrupted);
                case CancelReason.LeaseAtRisk:
                    return AttemptOutcome.Of(OutcomeKind.StoreLost);
                case CancelReason.LeaseLost:
                    return AttemptOutcome.Of(OutcomeKind.LeaseLost);
            }
        }

        return new AttemptOutcome(OutcomeKind.Failed, failure, false, null);
    }

    /// <summary>
    /// Runs one handler; a handler that outlives its cancellation by the grace period is left running, reported stuck, and its
    /// task returned so that its run keeps its hold.
    /// </summary>
    private async Task<(Exception? Failure, Task? Stuck)> RunHandlerAsync(IServiceProvider services, WebhookHandlerRegistration registration, WebhookEvent webhookEvent, AttemptGuard guard)
    {
        Task running;
        try
        {
            var handler = (IWebhookHandler)services.GetRequiredService(registration.HandlerType);
            running = handler.HandleAsync(webhookEvent, guard.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (ex, null);
        }

        try
        {
            await (running.IsCompleted ? running : running.WaitAsync(guard.Abandon)).ConfigureAwait(false);
            return (null, null);
        }
        catch (OperationCanceledException) when (!running.IsCompleted && guard.Abandon.IsCancellationRequested)
        {
            _metrics.StuckHandlers.Add(1);
            Interlocked.Increment(ref _stuck);
            Log.HandlerStuck(_logger, webhookEvent.Id, registration.Name, guard.Grace);
            return (new WebhookHandlerStuckException(registration.Name), running);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (ex, null);
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

    private enum OutcomeKind
    {
        /// <summary>Every handler succeeded (or none matched): complete.</summary>
        Succeeded,

        /// <summary>A handler failed: fail, counted, retried or dead by the policy.</summary>
        Failed,

        /// <summary>Shutdown cancelled the handlers: release, uncounted, due at once.</summary>
        Interrupted,

        /// <summary>The store could not be reached (a run not begun or ended, the lease not renewed): defer a poll interval, uncounted.</summary>
        StoreLost,

        /// <summary>A handler still runs under an earlier attempt: defer a lease, uncounted.</summary>
        Busy,

        /// <summary>Another claim owns the event now: write nothing.</summary>
        LeaseLost,
    }

    /// <summary>How an attempt ended: its kind, the failure (when failed), whether no handler matched, the busy handler (when busy).</summary>
    private readonly record struct AttemptOutcome(OutcomeKind Kind, Exception? Failure, bool Unhandled, string? Handler)
    {
        public static AttemptOutcome Of(OutcomeKind kind) => new(kind, null, false, null);
    }
}
