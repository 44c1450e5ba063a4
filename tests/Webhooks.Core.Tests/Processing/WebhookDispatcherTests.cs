using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Webhooks.Diagnostics;
using Webhooks.Idempotency;
using Webhooks.Processing;
using Webhooks.Storage;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Processing;

public partial class WebhookDispatcherTests
{
    private static readonly TimeSpan Lease = PipelineHarness.Lease;

    [Fact]
    public async Task Accepted_WakesWorkersAtOnce_ProcessedWithoutTheClockMoving()
    {
        await using PipelineHarness h = await PipelineHarness.StartAsync();
        Assert.Equal(WebhookAcceptResult.Queued, await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1")));
        await h.RunUntilIdleAsync();

        WebhookEventSummary e = (await h.Store.GetAsync("github:d1"))!;
        Assert.Equal((WebhookEventStatus.Processed, 1, false, (string?)null), (e.Status, e.Attempts, e.Unhandled, e.LastError));
        Assert.Equal(PipelineHarness.Start, e.CompletedAt);
        Assert.Equal(1, h.Script.CallsFor("github:d1"));
    }

    [Fact]
    public async Task AcceptedByAnotherProcess_PickedUpAtTheNextPoll()
    {
        await using PipelineHarness intake = await PipelineHarness.StartAsync(start: false);
        await using PipelineHarness worker = await PipelineHarness.StartAsync(sharedWith: intake);
        await worker.RunUntilIdleAsync();

        await intake.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await worker.RunUntilIdleAsync();
        Assert.Equal(WebhookEventStatus.Queued, (await worker.Store.GetAsync("github:d1"))!.Status);

        await worker.AdvanceAsync(PipelineHarness.PollInterval);
        Assert.Equal(WebhookEventStatus.Processed, (await worker.Store.GetAsync("github:d1"))!.Status);
        Assert.Equal(1, worker.Script.CallsFor("github:d1"));
    }

    [Fact]
    public async Task HandlerFailsTwiceThenSucceeds_RetriedOnThePolicysSchedule()
    {
        var policy = new ListRetryPolicy(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(40));
        var script = new HandlerScript { Behaviour = (_, call, _) => call <= 2 ? throw new InvalidOperationException("downstream down") : Task.CompletedTask };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, policy);
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await h.RunUntilIdleAsync();

        WebhookEventSummary failed = (await h.Store.GetAsync("github:d1"))!;
        Assert.Equal((WebhookEventStatus.Failed, 1), (failed.Status, failed.Attempts));
        Assert.Contains("downstream down", failed.LastError, StringComparison.Ordinal);
        Assert.Equal(PipelineHarness.Start + TimeSpan.FromSeconds(10), failed.NextAttemptAt);

        await h.AdvanceAsync(TimeSpan.FromSeconds(60));
        WebhookEventSummary processed = (await h.Store.GetAsync("github:d1"))!;
        Assert.Equal((WebhookEventStatus.Processed, 3), (processed.Status, processed.Attempts));
        Assert.Equal([1, 2], policy.Asked.ToArray());
        DateTimeOffset[] calls = h.Script.Log.Select(c => c.At).ToArray();
        Assert.Equal([PipelineHarness.Start, PipelineHarness.Start.AddSeconds(10), PipelineHarness.Start.AddSeconds(50)], calls);
    }

    [Fact]
    public async Task HandlerAlwaysFails_DeadAfterMaxAttempts()
    {
        var script = new HandlerScript { Behaviour = (_, _, _) => throw new TimeoutException("still down") };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, configure: o =>
        {
            o.Retry.MaxAttempts = 4;
            o.Retry.BaseDelay = TimeSpan.FromSeconds(1);
            o.Retry.UseJitter = false;
        });
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));

        WebhookEventSummary dead = await h.AdvanceUntilAsync("github:d1", e => e.Status == WebhookEventStatus.Dead);
        Assert.Equal(4, dead.Attempts);
        Assert.StartsWith("System.TimeoutException: still down", dead.LastError, StringComparison.Ordinal);
        Assert.Null(dead.NextAttemptAt);
        await h.AdvanceAsync(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(10));
        Assert.Equal(4, h.Script.CallsFor("github:d1"));
    }

    [Fact]
    public async Task PermanentFailure_DeadAfterOneAttemptAndNeverRunAgain()
    {
        var script = new HandlerScript { Behaviour = (_, _, _) => throw new WebhookPermanentFailureException("order 42 does not exist") };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script);
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await h.RunUntilIdleAsync();

        WebhookEventSummary dead = (await h.Store.GetAsync("github:d1"))!;
        Assert.Equal((WebhookEventStatus.Dead, 1), (dead.Status, dead.Attempts));
        Assert.Contains("order 42 does not exist", dead.LastError, StringComparison.Ordinal);

        await h.AdvanceAsync(TimeSpan.FromHours(2), TimeSpan.FromSeconds(30));
        Assert.Equal(1, h.Script.CallsFor("github:d1"));
    }

    [Fact]
    public async Task NoHandlerForType_ProcessedAndMarkedUnhandled()
    {
        await using PipelineHarness h = await PipelineHarness.StartAsync();
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1", type: "issues"));
        await h.RunUntilIdleAsync();

        WebhookEventSummary e = (await h.Store.GetAsync("github:d1"))!;
        Assert.Equal(WebhookEventStatus.Processed, e.Status);
        Assert.True(e.Unhandled);
        Assert.Equal(0, h.Script.CallsFor("github:d1"));
    }

    [Fact]
    public async Task SameHandlerRegisteredTwice_RunsOncePerEvent()
    {
        await using PipelineHarness h = await PipelineHarness.StartAsync(handlers: b => b
            .AddHandler<ScriptedHandler>("github", "push")
            .AddHandler<ScriptedHandler>("github", "push")
            .AddHandler<ScriptedHandler>("github"));
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await h.RunUntilIdleAsync();

        Assert.Equal(WebhookEventStatus.Processed, (await h.Store.GetAsync("github:d1"))!.Status);
        Assert.Equal(1, h.Script.CallsFor("github:d1"));
    }

    [Fact]
    public async Task Retry_RunsOnlyHandlersThatHaveNotSucceeded()
    {
        var script = new HandlerScript { SecondBehaviour = (_, call, _) => call == 1 ? throw new InvalidOperationException("second down") : Task.CompletedTask };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, new ListRetryPolicy(TimeSpan.FromSeconds(5)), handlers: b => b
            .AddHandler<ScriptedHandler>("github", "push")
            .AddHandler<SecondScriptedHandler>("github", "push"));
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));

        WebhookEventSummary processed = await h.AdvanceUntilAsync("github:d1", e => e.Status == WebhookEventStatus.Processed);
        Assert.Equal(2, processed.Attempts);
        Assert.Equal(1, script.CallsFor("github:d1"));
        Assert.Equal(2, script.SecondCallsFor("github:d1"));
    }

    [Fact]
    public async Task Replay_DeadRunsOnlyFailedHandlers_ForcedRunsAllAgain()
    {
        bool broken = true;
        var script = new HandlerScript { SecondBehaviour = (_, _, _) => broken ? throw new InvalidOperationException("bug") : Task.CompletedTask };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, new ListRetryPolicy(), handlers: b => b
            .AddHandler<ScriptedHandler>("github", "push")
            .AddHandler<SecondScriptedHandler>("github", "push"));
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await h.RunUntilIdleAsync();
        Assert.Equal(WebhookEventStatus.Dead, (await h.Store.GetAsync("github:d1"))!.Status);

        broken = false;
        Assert.Equal(WebhookReplayResult.Queued, await h.Pipeline.ReplayAsync("github:d1"));
        await h.RunUntilIdleAsync();
        WebhookEventSummary replayed = (await h.Store.GetAsync("github:d1"))!;
        Assert.Equal((WebhookEventStatus.Processed, 1, 1, 0, (string?)null), (replayed.Status, replayed.Attempts, replayed.ReplayCount, replayed.Generation, replayed.LastError));
        Assert.Equal((1, 2), (script.CallsFor("github:d1"), script.SecondCallsFor("github:d1")));

        Assert.Equal(WebhookReplayResult.AlreadyProcessed, await h.Pipeline.ReplayAsync("github:d1"));
        Assert.Equal(WebhookReplayResult.Queued, await h.Pipeline.ReplayAsync("github:d1", force: true));
        await h.RunUntilIdleAsync();
        Assert.Equal(1, (await h.Store.GetAsync("github:d1"))!.Generation);
        Assert.Equal((2, 3), (script.CallsFor("github:d1"), script.SecondCallsFor("github:d1")));
    }

    [Fact]
    public async Task ThreeProcessesOneStore_EveryEventRunsExactlyOnce()
    {
        // Only the event store's claims and handler runs keep two workers off one event.
        await using PipelineHarness a = await PipelineHarness.StartAsync(configure: o => o.Processing.Concurrency = 8);
        await using PipelineHarness b = await PipelineHarness.StartAsync(sharedWith: a, configure: o => o.Processing.Concurrency = 8);
        await using PipelineHarness c = await PipelineHarness.StartAsync(sharedWith: a, configure: o => o.Processing.Concurrency = 8);
        PipelineHarness[] processes = [a, b, c];

        await Task.WhenAll(Enumerable.Range(0, 600).Select(i => Task.Run(async () =>
            await processes[i % 3].Pipeline.AcceptAsync(PipelineHarness.Event("e" + i)))));
        await a.AdvanceAsync(TimeSpan.FromSeconds(3));

        Assert.Equal(600, (await a.Store.CountAsync()).Processed);
        Assert.All(Enumerable.Range(0, 600), i => Assert.Equal(1, a.Script.CallsFor("github:e" + i)));
    }

    [Fact]
    public async Task StaleWorker_AfterTakeoverAndShutdown_CannotOverwriteTheNewOwnersResult()
    {
        // Process A claims the event, then loses the store (a partition): it can neither renew nor write back. Its handler is
        // cancelled before the lease ends and fails. After the lease, B takes the event over and its handler makes it dead.
        // A's host then shuts down and the partition heals: A's late write carries a stale token and must change nothing.
        var script = new HandlerScript
        {
            Behaviour = async (_, call, token) =>
            {
                if (call == 1)
                {
                    await Task.Delay(Timeout.Infinite, token);
                }

                throw new WebhookPermanentFailureException("B: order does not exist");
            },
        };

        await using PipelineHarness owner = await PipelineHarness.StartAsync(script, start: false);
        var storeOfA = new InterceptingEventStore(owner.Store);
        await using PipelineHarness a = await PipelineHarness.StartAsync(script, store: storeOfA, sharedWith: owner);
        await a.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await PipelineHarness.WaitUntilAsync(() => script.CallsFor("github:d1") == 1, "A's handler started");

        var heal = new TaskCompletionSource();
        storeOfA.Partition(heal.Task);
        await using PipelineHarness b = await PipelineHarness.StartAsync(script, sharedWith: owner);

        // One move of the clock: A's ticker fires for every tick it passes, its renewals are held by the partition, and the tick
        // that reaches 90% of the lease cancels its handler, whatever the scheduling.
        b.Clock.Advance(Lease * 0.9);

        // A's handler was cancelled and A tries to give the event back (interrupted: the store was out of reach), which the
        // partition holds; only then may B take over.
        await PipelineHarness.WaitUntilAsync(() => storeOfA.Seen.Contains(StoreOperation.Defer), "A's write-back reached the store");
        await AdvanceBusyAsync(b, Lease * 0.1);

        await b.AdvanceAsync(TimeSpan.FromSeconds(2), null, b);
        // B took over an interrupted attempt: not counted, so B's is still the first.
        WebhookEventSummary dead = (await owner.Store.GetAsync("github:d1"))!;
        Assert.Equal((WebhookEventStatus.Dead, 1), (dead.Status, dead.Attempts));
        Assert.True(a.Dispatcher.Running > 0); // A's write-back is still held by the partition

        using var timedOut = new CancellationTokenSource();
        await timedOut.CancelAsync();
        Task stopping = a.StopAsync(timedOut.Token);
        heal.SetResult();
        await stopping;
        await b.AdvanceAsync(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(10));

        Assert.Equal(dead, await owner.Store.GetAsync("github:d1"));
        Assert.Contains("B: order does not exist", dead.LastError, StringComparison.Ordinal);
        Assert.Equal(2, script.CallsFor("github:d1"));
    }

    [Fact]
    public async Task Restart_NewProcessOverSameStore_PicksUpQueuedDueFailedAndExpiredClaims()
    {
        await using PipelineHarness crashed = await PipelineHarness.StartAsync(start: false);
        IWebhookEventStore store = crashed.Store;
        foreach (string id in new[] { "queued", "failed", "processing", "failed-later" })
        {
            await store.AppendAsync(PipelineHarness.Event(id));
        }

        // What a killed process leaves behind: a claim it never ended, failures waiting for their retry, a released event.
        IReadOnlyList<WebhookClaim> claims = await store.ClaimAsync(4, Lease);
        WebhookClaim Claim(string id) => claims.Single(c => c.Event.Id == "github:" + id);
        foreach ((string id, TimeSpan retry) in new[] { ("failed", TimeSpan.FromSeconds(5)), ("failed-later", TimeSpan.FromHours(1)) })
        {
            // As a dispatcher fails an attempt: its handler's run ended first, then the event.
            await store.EndHandlerAsync("github:" + id, Claim(id).Token, "H", succeeded: false);
            await store.FailAsync("github:" + id, Claim(id).Token, "x", retry);
        }

        await store.ReleaseAsync("github:queued", Claim("queued").Token);

        await using PipelineHarness restarted = await PipelineHarness.StartAsync(sharedWith: crashed);
        await restarted.AdvanceAsync(Lease);
        foreach (string id in new[] { "github:queued", "github:failed", "github:processing" })
        {
            Assert.Equal(WebhookEventStatus.Processed, (await store.GetAsync(id))!.Status);
        }

        Assert.Equal(WebhookEventStatus.Failed, (await store.GetAsync("github:failed-later"))!.Status);
        // The claim the crashed process never ended was interrupted: taken over without counting another attempt.
        Assert.Equal(1, (await store.GetAsync("github:processing"))!.Attempts);
        Assert.False(await store.CompleteAsync("github:processing", Claim("processing").Token, unhandled: false));
    }

    [Fact]
    public async Task Shutdown_RunningHandlerFinishes_NewWorkStaysQueued()
    {
        using var release = new SemaphoreSlim(0);
        var script = new HandlerScript { Behaviour = async (e, _, _) => { if (e.Id == "github:running") { await release.WaitAsync(CancellationToken.None); } } };
        PipelineHarness h = await PipelineHarness.StartAsync(script, configure: o => o.Processing.Concurrency = 1);
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("running"));
        await PipelineHarness.WaitUntilAsync(() => script.CallsFor("github:running") == 1, "handler started");
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("waiting"));

        Task stopping = h.StopAsync();
        await h.Dispatcher.Pump;

        // Claiming has ended; stopping cannot complete while the handler it waits for is blocked.
        Assert.False(stopping.IsCompleted);
        release.Release();
        await stopping;

        Assert.Equal(WebhookEventStatus.Processed, (await h.Store.GetAsync("github:running"))!.Status);
        Assert.Equal((WebhookEventStatus.Queued, 0), ((await h.Store.GetAsync("github:waiting"))!.Status, (await h.Store.GetAsync("github:waiting"))!.Attempts));
        Assert.Equal(0, h.Script.CallsFor("github:waiting"));
        await h.DisposeAsync();
    }

    [Fact]
    public async Task Shutdown_TimeoutPasses_HandlerCancelledAndEventGivenBackBeforeStopReturns()
    {
        var script = new HandlerScript { Behaviour = async (_, _, token) => await Task.Delay(Timeout.Infinite, token) };
        PipelineHarness h = await PipelineHarness.StartAsync(script);
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("slow"));
        await PipelineHarness.WaitUntilAsync(() => script.CallsFor("github:slow") == 1, "handler started");

        using var timedOut = new CancellationTokenSource();
        await timedOut.CancelAsync();
        await h.StopAsync(timedOut.Token);

        // No waiting here: the write-back finished before StopAsync returned.
        WebhookEventSummary e = (await h.Store.GetAsync("github:slow"))!;
        Assert.Equal((WebhookEventStatus.Queued, 0), (e.Status, e.Attempts));
        string key = "github:slow/" + typeof(ScriptedHandler).FullName;
        Assert.Equal(IdempotencyStatus.Started, (await h.Idempotency.TryBeginAsync(key, TimeSpan.FromSeconds(1))).Status);
        await h.DisposeAsync();
    }

    [Fact]
    public async Task Shutdown_SlowWriteBack_StopWaitsForIt()
    {
        var script = new HandlerScript { Behaviour = async (_, _, token) => await Task.Delay(Timeout.Infinite, token) };
        await using PipelineHarness owner = await PipelineHarness.StartAsync(start: false);
        var slowStore = new InterceptingEventStore(owner.Store);
        var releaseEntered = new TaskCompletionSource();
        var allowRelease = new TaskCompletionSource();
        slowStore.Before = (operation, _) =>
        {
            if (operation == StoreOperation.Release)
            {
                releaseEntered.TrySetResult();
                return allowRelease.Task;
            }

            return Task.CompletedTask;
        };

        PipelineHarness h = await PipelineHarness.StartAsync(script, store: slowStore, sharedWith: owner);
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await PipelineHarness.WaitUntilAsync(() => script.CallsFor("github:d1") == 1, "handler started");

        using var timedOut = new CancellationTokenSource();
        await timedOut.CancelAsync();
        Task stopping = h.StopAsync(timedOut.Token);
        await releaseEntered.Task;
        Assert.False(stopping.IsCompleted);

        allowRelease.SetResult();
        await stopping;
        Assert.Equal(WebhookEventStatus.Queued, (await owner.Store.GetAsync("github:d1"))!.Status);
        await h.DisposeAsync();
    }

    [Fact]
    public async Task Shutdown_StoreHangs_StopIsNotBlocked()
    {
        await using PipelineHarness owner = await PipelineHarness.StartAsync(start: false);
        var hungStore = new InterceptingEventStore(owner.Store) { Before = (_, token) => Task.Delay(Timeout.Infinite, token) };
        PipelineHarness h = await PipelineHarness.StartAsync(store: hungStore, sharedWith: owner);
        await PipelineHarness.WaitUntilAsync(() => hungStore.Calls > 0, "the dispatcher asked the store for work");

        await h.StopAsync();
        Assert.True(h.Dispatcher.Pump.IsCompleted);
        await h.DisposeAsync();
    }

    [Fact]
    public async Task StoreFails_DispatcherBacksOffLogsTheOutageOnceAndResumes()
    {
        bool down = true;
        await using PipelineHarness owner = await PipelineHarness.StartAsync(start: false);
        var flaky = new InterceptingEventStore(owner.Store)
        {
            Before = (operation, _) => down && operation == StoreOperation.Claim ? throw new WebhookStoreUnavailableException("connection refused") : Task.CompletedTask,
        };
        await using PipelineHarness h = await PipelineHarness.StartAsync(store: flaky, sharedWith: owner, services: s => s.AddFakeLogging());
        await owner.Store.AppendAsync(PipelineHarness.Event("d1"));

        await h.AdvanceAsync(TimeSpan.FromMinutes(2));
        int claimsWhileDown = flaky.Seen.Count(op => op == StoreOperation.Claim);
        Assert.InRange(claimsWhileDown, 5, 12); // 1, 2, 4, 8, 16, 30, 30, 30 s … instead of one a second

        FakeLogCollector logs = h.Services.GetFakeLogCollector();
        Assert.Single(logs.GetSnapshot(), r => r.Level >= LogLevel.Warning);

        down = false;
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(WebhookEventStatus.Processed, (await owner.Store.GetAsync("github:d1"))!.Status);
        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 1105);
    }

    [Fact]
    public async Task HandlerIgnoresCancellation_CountedStuckAndItsSlotFreed()
    {
        using var neverReleased = new SemaphoreSlim(0);
        var script = new HandlerScript { Behaviour = async (e, call, _) => { if (e.Id == "github:stuck" && call == 1) { await neverReleased.WaitAsync(CancellationToken.None); } } };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, new ListRetryPolicy(TimeSpan.FromSeconds(1)), configure: o =>
        {
            o.Processing.Concurrency = 1;
            o.Processing.HandlerTimeout = TimeSpan.FromSeconds(10);
        });
        using var stuck = new MetricCollector<long>(h.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), WebhookDiagnostics.Name, "webhooks.handlers.stuck");
        using var pastLease = new MetricCollector<int>(h.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), WebhookDiagnostics.Name, "webhooks.handlers.past_lease");
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("stuck"));
        await PipelineHarness.WaitUntilAsync(() => script.CallsFor("github:stuck") == 1, "handler started");
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("next"));

        // Cancelled at the handler timeout (10 s), given up on a grace period (lease / 10 = 3 s) later.
        await AdvanceBusyAsync(h, TimeSpan.FromSeconds(15));

        await h.RunUntilIdleAsync(h);
        Assert.Equal(1, stuck.LastMeasurement?.Value);
        Assert.Equal(1, stuck.GetMeasurementSnapshot().Sum(m => m.Value));
        pastLease.RecordObservableInstruments();
        Assert.Equal(1, pastLease.LastMeasurement?.Value);
        Assert.Equal(WebhookEventStatus.Processed, (await h.Store.GetAsync("github:next"))!.Status);
        WebhookEventSummary failed = (await h.Store.GetAsync("github:stuck"))!;
        Assert.Contains("did not return after it was cancelled", failed.LastError, StringComparison.Ordinal);

        neverReleased.Release();
        await PipelineHarness.WaitUntilAsync(() => stuck.GetMeasurementSnapshot().Sum(m => m.Value) == 0, "the stuck handler returned");
        pastLease.RecordObservableInstruments();
        Assert.Equal(0, pastLease.LastMeasurement?.Value);
    }

    [Fact]
    public async Task LongHandler_LeaseRenewed_NoOtherProcessTakesOver()
    {
        var script = new HandlerScript();
        await using PipelineHarness a = await PipelineHarness.StartAsync(script);
        script.Behaviour = (_, _, token) => Task.Delay(TimeSpan.FromMinutes(2), a.Clock, token);
        await using PipelineHarness b = await PipelineHarness.StartAsync(sharedWith: a, start: false);
        await a.Pipeline.AcceptAsync(PipelineHarness.Event("long"));
        await PipelineHarness.WaitUntilAsync(() => script.CallsFor("github:long") == 1, "handler started");
        await b.StartHostedAsync();

        await AdvanceRenewingAsync(a, "github:long", TimeSpan.FromSeconds(121));

        await a.RunUntilIdleAsync();
        WebhookEventSummary e = (await a.Store.GetAsync("github:long"))!;
        Assert.Equal((WebhookEventStatus.Processed, 1), (e.Status, e.Attempts));
        Assert.Equal(1, script.CallsFor("github:long"));
    }

    [Fact]
    public async Task RenewalsFail_HandlerCancelledBeforeTheLeaseEndsThenRetried()
    {
        DateTimeOffset? cancelledAt = null;
        var cancellable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var script = new HandlerScript();
        await using PipelineHarness owner = await PipelineHarness.StartAsync(start: false);
        var store = new InterceptingEventStore(owner.Store)
        {
            Before = (operation, _) => operation == StoreOperation.Renew ? throw new WebhookStoreUnavailableException("timeout") : Task.CompletedTask,
        };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, new ListRetryPolicy(TimeSpan.FromSeconds(1)), store: store, sharedWith: owner);
        script.Behaviour = async (_, call, token) =>
        {
            if (call == 1)
            {
                using CancellationTokenRegistration registration = token.Register(() => cancelledAt = h.Clock.GetUtcNow());
                cancellable.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
            }
        };

        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await PipelineHarness.WaitUntilAsync(() => script.CallsFor("github:d1") == 1 && cancellable.Task.IsCompleted, "handler started and listens for cancellation");

        // One move of the clock: the ticker fires for every tick it passes, each renewal fails at once, and the tick that reaches
        // 90% of the lease cancels the handler. Nothing else runs in between, so the outcome does not depend on scheduling.
        h.Clock.Advance(Lease * 0.9);
        await PipelineHarness.WaitUntilAsync(() => store.Seen.Contains(StoreOperation.Defer), "the cancelled attempt gave the event back");

        await h.AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.InRange(cancelledAt!.Value, PipelineHarness.Start + (Lease * 0.9), PipelineHarness.Start + Lease - TimeSpan.FromSeconds(1));

        // The store, not the handler, ended the first attempt: it was given back uncounted.
        WebhookEventSummary e = (await owner.Store.GetAsync("github:d1"))!;
        Assert.Equal((WebhookEventStatus.Processed, 1), (e.Status, e.Attempts));
    }

    [Fact]
    public async Task StoreCannotRecordHandlerRuns_AttemptGivenBackUncountedThenRun()
    {
        // Two handlers: between them the first one's success is recorded, which the store refuses while it is down.
        bool down = true;
        await using PipelineHarness owner = await PipelineHarness.StartAsync(start: false);
        var store = new InterceptingEventStore(owner.Store)
        {
            Before = (operation, _) => down && operation is StoreOperation.BeginHandler or StoreOperation.EndHandler ? throw new WebhookStoreUnavailableException("store down") : Task.CompletedTask,
        };
        await using PipelineHarness h = await PipelineHarness.StartAsync(
            retryPolicy: new ListRetryPolicy(TimeSpan.FromSeconds(5)),
            store: store,
            sharedWith: owner,
            handlers: b => b.AddHandler<ScriptedHandler>("github", "push").AddHandler<SecondScriptedHandler>("github", "push"));
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));

        // Looked at once a poll interval while the store fails, never counted; the second handler never reached.
        WebhookEventSummary waiting = (await owner.Store.GetAsync("github:d1"))!;
        Assert.Equal((WebhookEventStatus.Queued, 0, null), (waiting.Status, waiting.Attempts, waiting.LastError));
        Assert.InRange(h.Script.CallsFor("github:d1"), 20, 40);
        Assert.Equal(0, h.Script.SecondCallsFor("github:d1"));

        down = false;
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        WebhookEventSummary processed = (await owner.Store.GetAsync("github:d1"))!;
        Assert.Equal((WebhookEventStatus.Processed, 1), (processed.Status, processed.Attempts));
        Assert.Equal(1, h.Script.SecondCallsFor("github:d1"));
    }

    /// <summary>
    /// Moves the clock second by second while a handler is busy (so the dispatcher is never idle). The attempt's timer
    /// (renewals, deadlines) runs inside each step; what follows from it asynchronously is waited for by the caller.
    /// </summary>
    /// <summary>
    /// Moves the clock a second at a time while a handler runs, and after each second waits (in real time, bounded) until the
    /// event is no longer processing or its lease ends more than half a lease ahead: a renewal falls due a third of a lease
    /// after the last, at the latest a tick (a tenth) later, so this waits for each renewal to land before the clock moves far
    /// enough to stop the handler, however the threads are scheduled.
    /// </summary>
    private static async Task AdvanceRenewingAsync(PipelineHarness h, string id, TimeSpan by)
    {
        for (TimeSpan moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromSeconds(1))
        {
            h.Clock.Advance(TimeSpan.FromSeconds(1));
            await PipelineHarness.WaitUntilAsync(
                async () => await h.Store.GetAsync(id) is not { Status: WebhookEventStatus.Processing, LeaseExpiresAt: { } expires } || expires - h.Clock.GetUtcNow() > Lease / 2,
                "the due renewal landed");
        }
    }

    private static async Task AdvanceBusyAsync(PipelineHarness h, TimeSpan by)
    {
        for (TimeSpan moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromSeconds(1))
        {
            h.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }
    }
}
