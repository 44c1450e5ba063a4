using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Webhooks.Diagnostics;
using Webhooks.Processing;
using Webhooks.Storage;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Processing;

/// <summary>Attempts that end without an outcome of their own: a killed process, a stuck handler, overlapping registrations, a late replay.</summary>
public partial class WebhookDispatcherTests
{
    private static readonly string ScriptedHandlerName = typeof(ScriptedHandler).FullName!;

    [Fact]
    public async Task ProcessKilledMidHandler_TakenOverAfterOneLeaseUncountedAndNeverBusy()
    {
        // What a process killed in the middle of its handlers leaves behind: claims it never ended, each with a run begun.
        await using PipelineHarness killed = await PipelineHarness.StartAsync(start: false);
        IWebhookEventStore store = killed.Store;
        for (int i = 0; i < 20; i++)
        {
            await store.AppendAsync(PipelineHarness.Event("k" + i));
        }

        foreach (WebhookClaim claim in await store.ClaimAsync(20, Lease))
        {
            Assert.Equal(WebhookHandlerBeginResult.Started, await store.BeginHandlerAsync(claim.Event.Id, claim.Token, ScriptedHandlerName));
        }

        await using PipelineHarness restarted = await PipelineHarness.StartAsync(sharedWith: killed);
        using var interrupted = new MetricCollector<long>(restarted.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), WebhookDiagnostics.Name, "webhooks.interrupted");
        await restarted.AdvanceAsync(Lease - TimeSpan.FromSeconds(1));
        Assert.Equal(20, (await store.CountAsync()).Processing);
        Assert.Empty(restarted.Script.Log);

        // One lease after the kill, every event is taken over and processed at its first counted attempt, with no failure.
        await restarted.AdvanceAsync(TimeSpan.FromSeconds(2));
        for (int i = 0; i < 20; i++)
        {
            WebhookEventSummary e = (await store.GetAsync("github:k" + i))!;
            Assert.Equal((WebhookEventStatus.Processed, 1, (string?)null), (e.Status, e.Attempts, e.LastError));
            Assert.Equal(1, restarted.Script.CallsFor("github:k" + i));
        }

        Assert.Equal(20, interrupted.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task StuckHandler_LaterAttemptsDeferredUncountedAndNeverRunItAgainWhileItRuns()
    {
        using var release = new SemaphoreSlim(0);
        int running = 0;
        int mostAtOnce = 0;
        var script = new HandlerScript
        {
            Behaviour = async (_, call, _) =>
            {
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref mostAtOnce, now);
                try
                {
                    if (call == 1)
                    {
                        // Ignores its cancellation, and returns (successfully) only when the test lets it.
                        await release.WaitAsync(CancellationToken.None);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref running);
                }
            },
        };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, new ListRetryPolicy([.. Enumerable.Repeat(TimeSpan.FromSeconds(1), 20)]), configure: o =>
            o.Processing.HandlerTimeout = TimeSpan.FromSeconds(60));
        using var deferred = new MetricCollector<long>(h.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), WebhookDiagnostics.Name, "webhooks.deferred");
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("stuck"));
        await PipelineHarness.WaitUntilAsync(() => script.CallsFor("github:stuck") == 1, "handler started");

        // Cancelled at the handler timeout, given up on a grace period (lease / 10) later: the attempt fails, counted.
        await AdvanceBusyAsync(h, TimeSpan.FromSeconds(64));
        await h.RunUntilIdleAsync();
        WebhookEventSummary failed = (await h.Store.GetAsync("github:stuck"))!;
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("did not return after it was cancelled", failed.LastError, StringComparison.Ordinal);

        // The handler still runs: for the next 50 s every attempt finds its run held, and is deferred without being counted.
        await h.AdvanceAsync(TimeSpan.FromSeconds(50));
        Assert.Equal(1, script.CallsFor("github:stuck"));
        Assert.Equal(1, (await h.Store.GetAsync("github:stuck"))!.Attempts);
        Assert.InRange(deferred.GetMeasurementSnapshot().Sum(m => m.Value), 1, 3);

        // It returns, successfully: its success is recorded, and the next attempt completes the event without running it again.
        release.Release();
        await PipelineHarness.WaitUntilAsync(() => Volatile.Read(ref running) == 0, "the stuck handler returned");
        await h.AdvanceUntilAsync("github:stuck", e => e.Status == WebhookEventStatus.Processed, Lease * 2);
        Assert.Equal(1, script.CallsFor("github:stuck"));
        Assert.Equal(1, mostAtOnce);
        Assert.Equal(2, (await h.Store.GetAsync("github:stuck"))!.Attempts);
    }

    [Fact]
    public async Task StuckHandlerPastItsBound_HoldLetGoAndTheNextAttemptRunsItAgain()
    {
        using var neverReleased = new SemaphoreSlim(0);
        var script = new HandlerScript { Behaviour = async (_, call, _) => { if (call == 1) { await neverReleased.WaitAsync(CancellationToken.None); } } };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, new ListRetryPolicy(TimeSpan.FromSeconds(1)), configure: o =>
            o.Processing.HandlerTimeout = TimeSpan.FromSeconds(10));
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("stuck"));
        await PipelineHarness.WaitUntilAsync(() => script.CallsFor("github:stuck") == 1, "handler started");

        // Given up on at 13 s; its hold is kept for the handler timeout more, to 23 s.
        await AdvanceBusyAsync(h, TimeSpan.FromSeconds(15));
        await h.AdvanceAsync(TimeSpan.FromSeconds(6));
        Assert.Equal(1, script.CallsFor("github:stuck"));

        // Then it is let go: the next attempt runs the handler again (the first run is abandoned), and the event is processed.
        WebhookEventSummary processed = await h.AdvanceUntilAsync("github:stuck", e => e.Status == WebhookEventStatus.Processed, Lease * 2);
        Assert.Equal(2, script.CallsFor("github:stuck"));
        Assert.Equal(2, processed.Attempts);
        Assert.True(h.Clock.GetUtcNow() >= PipelineHarness.Start + TimeSpan.FromSeconds(23));
    }

    [Fact]
    public async Task OneHandlerTypeInTwoMatchingRegistrations_RunsOncePerAttemptAlsoWhenItFails()
    {
        var script = new HandlerScript { Behaviour = (_, call, _) => call == 1 ? throw new InvalidOperationException("first try fails") : Task.CompletedTask };
        await using PipelineHarness h = await PipelineHarness.StartAsync(
            script,
            new ListRetryPolicy(TimeSpan.FromSeconds(1)),
            handlers: b => b.AddHandler<ScriptedHandler>("github", "push").AddHandler<ScriptedHandler>("github", "*"));
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await h.RunUntilIdleAsync();
        Assert.Equal((WebhookEventStatus.Failed, 1), ((await h.Store.GetAsync("github:d1"))!.Status, script.CallsFor("github:d1")));

        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.Equal((WebhookEventStatus.Processed, 2), ((await h.Store.GetAsync("github:d1"))!.Status, script.CallsFor("github:d1")));
    }

    [Fact]
    public async Task DeadEventReplayedAWeekLater_HandlersThatSucceededNotRunAgain()
    {
        var script = new HandlerScript
        {
            SecondBehaviour = (_, call, _) => call == 1 ? throw new WebhookPermanentFailureException("mail bounced") : Task.CompletedTask,
        };
        await using PipelineHarness h = await PipelineHarness.StartAsync(
            script,
            handlers: b => b.AddHandler<ScriptedHandler>("github", "push").AddHandler<SecondScriptedHandler>("github", "push"));
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        await h.RunUntilIdleAsync();
        Assert.Equal(WebhookEventStatus.Dead, (await h.Store.GetAsync("github:d1"))!.Status);

        // Well past the retention of processed events (72 h), the bug is fixed and the dead event replayed.
        h.Clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(WebhookReplayResult.Queued, await h.Pipeline.ReplayAsync("github:d1"));
        await h.RunUntilIdleAsync();

        Assert.Equal(WebhookEventStatus.Processed, (await h.Store.GetAsync("github:d1"))!.Status);
        Assert.Equal((1, 2), (script.CallsFor("github:d1"), script.SecondCallsFor("github:d1")));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
