using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Webhooks.Diagnostics;
using Webhooks.Storage;

namespace Webhooks.Processing;

/// <summary>
/// The hosted service that processes events: it claims due events from the <see cref="IWebhookEventStore"/> in batches, up to its
/// free worker slots, runs each event's handlers that have not yet succeeded (recorded with the event in the store),
/// and ends every attempt with one fenced store transition: complete, fail (retry or dead), release (interrupted: uncounted) or
/// defer (a handler still runs under an earlier attempt: uncounted). Each handler's run is recorded with the event, under the
/// claim. Any number of processes may share one store; the store's claims decide who runs what.
/// </summary>
/// <remarks>
/// It wakes at once when this process accepts a delivery, and otherwise polls for work that other processes accepted, retries
/// that fall due and claims that expired. When the store fails, it waits longer between tries (up to
/// <see cref="WebhookWorkQueueOptions.MaxStoreBackoff"/>), logging when the outage starts and ends rather than on every try.
/// On shutdown it stops claiming and lets running handlers finish; when the host's shutdown timeout passes, it cancels them,
/// gives their events back to the store (released, the attempt not counted) and waits for those writes, up to
/// <see cref="WebhookWorkQueueOptions.ShutdownWriteBackTimeout"/>.
/// </remarks>
internal sealed partial class WebhookDispatcher : IHostedService, IDisposable
{
    private readonly IWebhookEventStore _store;
    private readonly IRetryPolicy _retryPolicy;
    private readonly WebhookWorkSignal _signal;
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly WebhookHandlerRegistration[] _registrations;
    private readonly WebhookWorkQueueOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly WebhookMetrics _metrics;
    private readonly ILogger _logger;

    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _aborting = new();
    private readonly CancellationTokenSource _writeBack = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<AttemptGuard, byte> _guards = new();
    private readonly ConcurrentDictionary<StuckRun, byte> _stuckRuns = new();

    // Claims taken ahead of free workers (the pump's own, and StopAsync's once the pump has ended), with when each was claimed.
    private readonly Queue<(WebhookClaim Claim, long ClaimedAt)> _prefetched = new();
    private ITimer? _ticker;
    private Task _pump = Task.CompletedTask;
    private int _running;
    private int _busy;
    private long _acted;
    private CancellationTokenSource? _pollWait;
    private readonly WebhookStoreStatistics? _statistics;
    private ITimer? _sampler;
    private int _sampling;
    private int _stuck;
    private bool _started;

    /// <summary>The receiver's dispatcher, made by dependency injection from the receiver's options (<c>Webhooks:Processing</c>).</summary>
    public WebhookDispatcher(
        IWebhookEventStore store,
        IRetryPolicy retryPolicy,
        WebhookWorkSignal signal,
        IServiceScopeFactory scopeFactory,
        IEnumerable<WebhookHandlerRegistration> registrations,
        IOptions<WebhookReceiverOptions> options,
        TimeProvider timeProvider,
        WebhookMetrics metrics,
        ILogger<WebhookDispatcher>? logger = null,
        WebhookStoreStatistics? statistics = null)
        : this(store, retryPolicy, signal, scopeFactory, registrations, options.Value.Processing, timeProvider, metrics, logger, statistics)
    {
    }

    /// <summary>A dispatcher with these work queue settings (a <see cref="WebhookWorkQueue"/>'s).</summary>
    internal WebhookDispatcher(
        IWebhookEventStore store,
        IRetryPolicy retryPolicy,
        WebhookWorkSignal signal,
        IServiceScopeFactory scopeFactory,
        IEnumerable<WebhookHandlerRegistration> registrations,
        WebhookWorkQueueOptions options,
        TimeProvider timeProvider,
        WebhookMetrics metrics,
        ILogger<WebhookDispatcher>? logger,
        WebhookStoreStatistics? statistics)
    {
        _store = store;
        _retryPolicy = retryPolicy;
        _signal = signal;
        _scopeFactory = scopeFactory;
        // Registrations naming one handler type are kept as given: an attempt runs each type once (HandlersToRun).
        _registrations = [.. registrations];
        _options = options;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _statistics = statistics;
        metrics.Meter.CreateObservableGauge(
            "webhooks.handlers.past_lease",
            PastLease,
            "{handler}",
            "Attempts of this process whose handlers still run although their lease has ended (not renewed, or given up after cancellation): another process may take their events over meanwhile.");
    }

    /// <summary>Gets a value indicating whether the claiming loop runs: started, not stopping, and not ended by a fault.</summary>
    internal bool IsRunning => Volatile.Read(ref _started) && !_pump.IsCompleted && !_stopping.IsCancellationRequested;

    /// <summary>Gets how many attempts are running now (their handlers, or their write-backs).</summary>
    internal int Running => Volatile.Read(ref _running);

    /// <summary>
    /// Gets a value indicating whether the dispatcher has nothing to do until its poll timer fires or it is notified: it is
    /// waiting, no attempt is running, no notification is pending, and the poll timer has not fired.
    /// </summary>
    internal bool IsIdle =>
        Volatile.Read(ref _pollWait) is { IsCancellationRequested: false } && Volatile.Read(ref _busy) == 0 && !_signal.IsSet &&
        _signal.Notified == Interlocked.Read(ref _acted);

    /// <summary>Gets the claiming loop, which ends once stopping has been requested.</summary>
#pragma warning disable VSTHRD003 // The pump is this service's own loop.
    internal Task Pump => _pump;
#pragma warning restore VSTHRD003

    /// <summary>Gets how often running attempts are looked at (renewals, deadlines): a tenth of the lease.</summary>
    internal TimeSpan TickInterval => _options.LeaseDuration / 10;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // One ticker for every running attempt, rather than a timer each.
        _ticker = _timeProvider.CreateTimer(static state => ((WebhookDispatcher)state!).Tick(), this, TickInterval, TickInterval);
        _pump = Task.Run(PumpAsync, CancellationToken.None);
        if (_statistics is not null)
        {
            _sampler = _timeProvider.CreateTimer(static state => ((WebhookDispatcher)state!).Sample(), this, WebhookStoreStatistics.SampleInterval, WebhookStoreStatistics.SampleInterval);
        }

        Volatile.Write(ref _started, true);
        Log.Started(_logger, _options.Concurrency);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _sampler?.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        // The pump was started by this service and observes the stopping token.
#pragma warning disable VSTHRD003
        await _pump.ConfigureAwait(false);
#pragma warning restore VSTHRD003

        // Claims taken ahead of a free worker go back at once, uncounted.
        while (_prefetched.TryDequeue(out (WebhookClaim Claim, long ClaimedAt) waiting))
        {
            await GiveBackAsync(waiting.Claim).ConfigureAwait(false);
        }

        if (Running == 0)
        {
            return;
        }

        try
        {
            await _drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout passed: cancel the running handlers, then wait for them to give their events back.
            // (An attempt that starts from here on sees the abort when it registers its guard.)
            await _aborting.CancelAsync().ConfigureAwait(false);
            foreach (KeyValuePair<AttemptGuard, byte> guard in _guards)
            {
                guard.Key.Cancel(CancelReason.Shutdown);
            }
        }

        try
        {
            await _drained.Task.WaitAsync(_options.ShutdownWriteBackTimeout, _timeProvider, CancellationToken.None).ConfigureAwait(false);
            Log.StoppedAfterCancelling(_logger);
        }
        catch (TimeoutException)
        {
            // Handlers that ignore cancellation, or a store that does not answer: stop waiting. Their claims expire and
            // another process takes the events over; a late write from here is refused by its stale token.
            await _writeBack.CancelAsync().ConfigureAwait(false);
            Log.StopTimedOut(_logger, Running);
        }
    }

    public void Dispose()
    {
        // Token sources still observed by attempts that outlived shutdown are left to the garbage collector: disposing them
        // under a running handler would turn its cancellation checks into ObjectDisposedException.
        _ticker?.Dispose();
        _sampler?.Dispose();
        if (Running == 0)
        {
            _stopping.Dispose();
            _aborting.Dispose();
            _writeBack.Dispose();
        }
    }

    private async Task PumpAsync()
    {
        CancellationToken stopping = _stopping.Token;
        WebhookWorkQueueOptions processing = _options;
        TimeSpan? backoff = null;
        while (!stopping.IsCancellationRequested)
        {
            int free = processing.Concurrency - Running;
            if (free > 0 && _prefetched.Count > 0)
            {
                await StartPrefetchedAsync(free).ConfigureAwait(false);
                continue;
            }

            if (free <= 0)
            {
                // Every slot is taken: a finishing attempt notifies the signal.
                if (_signal.TryTake())
                {
                    // Notified already (see below).
                    await Task.Yield();
                    continue;
                }

                if (!await WaitAsync(Timeout.InfiniteTimeSpan, stopping).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            // Every notification made so far is answered by the claim below.
            Interlocked.Exchange(ref _acted, _signal.Notified);

            // Claimed ahead: up to two more rounds of workers, so that a worker that frees finds its next event here instead of
            // waiting for a claim, and each claim (which reads every partition of a shared store) serves many events.
            int asked = Math.Min(processing.ClaimBatchSize, free + (2 * processing.Concurrency));
            IReadOnlyList<WebhookClaim> claims;
            try
            {
                claims = await _store.ClaimAsync(asked, processing.LeaseDuration, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _metrics.StoreErrors.Add(1);
                if (backoff is null)
                {
                    Log.StoreOutageStarted(_logger, ex);
                }

                backoff = backoff is { } previous ? Min(previous * 2, processing.MaxStoreBackoff) : Min(processing.PollInterval, processing.MaxStoreBackoff);
                Log.StoreStillFailing(_logger, ex, backoff.Value);
                if (!await WaitAsync(backoff.Value, stopping, wakeOnSignal: false).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (backoff is not null)
            {
                Log.StoreOutageEnded(_logger);
                backoff = null;
            }

            long claimedAt = _timeProvider.GetTimestamp();
            foreach (WebhookClaim claim in claims)
            {
                Interlocked.Increment(ref _busy);
                if (free > 0)
                {
                    Start(claim, claimedAt);
                    free--;
                }
                else
                {
                    _prefetched.Enqueue((claim, claimedAt));
                }
            }

            if (claims.Count < asked)
            {
                if (_signal.TryTake())
                {
                    // Notified while claiming (under load, nearly always): yield once, as a woken wait does, so that the
                    // deliveries in flight land before the next claim. Awaited here, in this loop's own state machine, it
                    // allocates nothing, where a wait would make a timer, a linked token and a state machine of its own.
                    await Task.Yield();
                }
                else if (!await WaitAsync(processing.PollInterval, stopping).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Waits for a notification or for <paramref name="timeout"/> on the dispatcher's clock; <see langword="false"/> when stopping.</summary>
    private async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken stopping, bool wakeOnSignal = true)
    {
        using var timer = timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, stopping);
        Volatile.Write(ref _pollWait, timer);
        bool signalled = false;
        try
        {
            if (wakeOnSignal)
            {
                await _signal.WaitAsync(linked.Token).ConfigureAwait(false);
                signalled = true;
            }
            else
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            // The timer fired.
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            Volatile.Write(ref _pollWait, null);
        }

        if (signalled)
        {
            // Woken by a delivery: let the requests already in flight land first, so that one claim takes them together.
            await Task.Yield();
        }

        return !stopping.IsCancellationRequested;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Starts an attempt whose claim is counted in <c>_busy</c> already.</summary>
    private void Start(WebhookClaim claim, long claimedAt)
    {
        Interlocked.Increment(ref _running);

        // Each attempt starts on the thread pool, without this loop's execution context: one small work item, where Task.Run
        // would add a closure, a delegate and two tasks per event.
        ThreadPool.UnsafeQueueUserWorkItem(static start => _ = start.Dispatcher.RunAttemptAsync(start.Claim, start.ClaimedAt), new AttemptStart(this, claim, claimedAt), preferLocal: false);
    }

    /// <summary>
    /// Starts claims taken ahead, up to <paramref name="free"/> workers. One that has waited half its lease is given back instead
    /// (uncounted): its handlers must not start on a lease that may end before its first renewal.
    /// </summary>
    private async Task StartPrefetchedAsync(int free)
    {
        TimeSpan freshFor = _options.LeaseDuration / 2;
        while (free > 0 && _prefetched.TryDequeue(out (WebhookClaim Claim, long ClaimedAt) waiting))
        {
            if (_timeProvider.GetElapsedTime(waiting.ClaimedAt) < freshFor)
            {
                Start(waiting.Claim, waiting.ClaimedAt);
                free--;
            }
            else
            {
                await GiveBackAsync(waiting.Claim).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Releases a claim taken ahead and not started (uncounted); one that cannot be released expires after its lease.</summary>
    private async Task GiveBackAsync(WebhookClaim claim)
    {
        try
        {
            await _store.ReleaseAsync(claim.Event.Id, claim.Token, _writeBack.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _metrics.StoreErrors.Add(1);
        }
        finally
        {
            Interlocked.Decrement(ref _busy);
        }
    }

    private readonly record struct AttemptStart(WebhookDispatcher Dispatcher, WebhookClaim Claim, long ClaimedAt);

    /// <summary>Reads the store's counts for the gauges, one read at a time; a failure leaves the last sample to age out.</summary>
    private void Sample()
    {
        if (Interlocked.CompareExchange(ref _sampling, 1, 0) == 0)
        {
            _ = SampleAsync();
        }
    }

    private async Task SampleAsync()
    {
        try
        {
            _statistics!.Update(await _store.CountAsync(_stopping.Token).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The claiming loop reports store outages; the gauges go quiet once the sample is stale.
        }
        finally
        {
            Volatile.Write(ref _sampling, 0);
        }
    }

    private int PastLease()
    {
        long now = _timeProvider.GetTimestamp();
        int past = Volatile.Read(ref _stuck);
        foreach (KeyValuePair<AttemptGuard, byte> guard in _guards)
        {
            if (guard.Key.IsPastLease(now))
            {
                past++;
            }
        }

        return past;
    }

    private void Tick()
    {
        long now = _timeProvider.GetTimestamp();
        foreach (KeyValuePair<AttemptGuard, byte> guard in _guards)
        {
            guard.Key.OnTick(now);
        }

        foreach (KeyValuePair<StuckRun, byte> run in _stuckRuns)
        {
            run.Key.OnTick(now);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Webhook dispatcher started with {Workers} workers.")]
        public static partial void Started(ILogger logger, int workers);

        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Webhook dispatcher stopped with {Running} attempts still running after their handlers were cancelled; their claims expire and another process takes them over.")]
        public static partial void StopTimedOut(ILogger logger, int running);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Webhook dispatcher stopped after the shutdown timeout; cancelled attempts gave their events back.")]
        public static partial void StoppedAfterCancelling(ILogger logger);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "The webhook event store failed; the dispatcher waits longer between tries until it answers again.")]
        public static partial void StoreOutageStarted(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Debug, Message = "The webhook event store still fails; next try in {Delay}.")]
        public static partial void StoreStillFailing(ILogger logger, Exception exception, TimeSpan delay);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "The webhook event store answers again; the dispatcher resumes.")]
        public static partial void StoreOutageEnded(ILogger logger);

        [LoggerMessage(EventId = 1110, Level = LogLevel.Debug, Message = "Webhook {EventId} processed (attempt {Attempt}).")]
        public static partial void Processed(ILogger logger, string eventId, int attempt);

        [LoggerMessage(EventId = 1111, Level = LogLevel.Debug, Message = "Webhook {EventId} has no handler for source {Source} and type {EventType}; recorded as processed.")]
        public static partial void Unhandled(ILogger logger, string eventId, string source, string eventType);

        [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "Webhook {EventId} attempt {Attempt} failed; retrying in {Delay}.")]
        public static partial void WillRetry(ILogger logger, Exception exception, string eventId, int attempt, TimeSpan delay);

        [LoggerMessage(EventId = 1113, Level = LogLevel.Error, Message = "Webhook {EventId} is dead after {Attempt} attempts.")]
        public static partial void Dead(ILogger logger, Exception exception, string eventId, int attempt);

        [LoggerMessage(EventId = 1114, Level = LogLevel.Warning, Message = "Webhook {EventId}: the claim is no longer this worker's (its lease ended and another worker took the event, or it was replayed or deleted); this attempt's result is discarded.")]
        public static partial void LeaseLost(ILogger logger, string eventId);

        [LoggerMessage(EventId = 1115, Level = LogLevel.Error, Message = "Webhook {EventId}: the outcome of attempt {Attempt} could not be written; the claim expires and the event is taken up again.")]
        public static partial void WriteBackFailed(ILogger logger, Exception exception, string eventId, int attempt);

        [LoggerMessage(EventId = 1116, Level = LogLevel.Information, Message = "Webhook {EventId} attempt {Attempt} was interrupted by shutdown; given back to the store.")]
        public static partial void Interrupted(ILogger logger, string eventId, int attempt);

        [LoggerMessage(EventId = 1118, Level = LogLevel.Information, Message = "Webhook {EventId}: attempt {Attempt} is taken over after {Interruptions} interruption(s) in a row (a process stopped or lost the store before ending it); not counted.")]
        public static partial void TakenOverInterrupted(ILogger logger, string eventId, int attempt, int interruptions);

        [LoggerMessage(EventId = 1119, Level = LogLevel.Debug, Message = "Webhook {EventId}: handler {Handler} still runs under an earlier attempt; deferred by {Delay}, not counted.")]
        public static partial void Deferred(ILogger logger, string eventId, string handler, TimeSpan delay);

        [LoggerMessage(EventId = 1120, Level = LogLevel.Warning, Message = "Webhook {EventId}: handler {Handler} is still running {Bound} after it was given up on; its hold on the event is let go, and the next attempt runs it again.")]
        public static partial void StuckRunReleased(ILogger logger, string eventId, string handler, TimeSpan bound);

        [LoggerMessage(EventId = 1117, Level = LogLevel.Warning, Message = "Webhook {EventId}: handler {Handler} did not return within {Grace} of being cancelled; its worker slot is freed and it is counted in webhooks.handlers.stuck until it returns.")]
        public static partial void HandlerStuck(ILogger logger, string eventId, string handler, TimeSpan grace);
    }
}
