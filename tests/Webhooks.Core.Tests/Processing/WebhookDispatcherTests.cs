using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Webhooks.Idempotency;
using Webhooks.Processing;
using Webhooks.Storage;
using Webhooks.Tests.TestSupport;

namespace Webhooks.Tests.Processing;

public class WebhookDispatcherTests
{
    [Fact]
    public async Task Accepted_HandlerSucceeds_ProcessedOnce()
    {
        await using PipelineHarness h = await PipelineHarness.StartAsync();
        Assert.Equal(WebhookAcceptResult.Queued, await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1")));

        WebhookEvent e = await h.WaitForAsync("github:d1", e => e.Status == WebhookEventStatus.Processed);
        Assert.Equal(1, e.Attempts);
        Assert.False(e.Unhandled);
        Assert.Null(e.LastError);
        Assert.NotNull(e.CompletedAt);
        Assert.Equal(1, h.Script.CallsFor("github:d1"));
    }

    [Fact]
    public async Task HandlerFailsTwiceThenSucceeds_ProcessedAfterThreeAttemptsWithPolicyDelays()
    {
        var policy = new ListRetryPolicy(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(40));
        var script = new HandlerScript { Behaviour = (_, call, _) => call <= 2 ? throw new InvalidOperationException("downstream down") : Task.CompletedTask };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, policy);
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));

        WebhookEvent failed = await h.WaitForAsync("github:d1", e => e.Status == WebhookEventStatus.Failed && e.Attempts == 1);
        Assert.Contains("downstream down", failed.LastError, StringComparison.Ordinal);

        WebhookEvent processed = await h.WaitForAsync("github:d1", e => e.Status == WebhookEventStatus.Processed);
        Assert.Equal(3, processed.Attempts);
        Assert.Equal([1, 2], policy.Asked.ToArray());

        var calls = h.Script.Log.Where(c => c.Id == "github:d1").Select(c => c.At).ToArray();
        Assert.Equal(3, calls.Length);
        // Never earlier than the policy said; later only by the poll interval and the test's clock steps while work ran.
        TimeSpan slack = TimeSpan.FromSeconds(5);
        Assert.InRange(calls[1] - calls[0], TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10) + slack);
        Assert.InRange(calls[2] - calls[1], TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(40) + slack);
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

        WebhookEvent dead = await h.WaitForAsync("github:d1", e => e.Status == WebhookEventStatus.Dead);
        Assert.Equal(4, dead.Attempts);
        Assert.Equal(4, h.Script.CallsFor("github:d1"));
        Assert.StartsWith("System.TimeoutException: still down", dead.LastError, StringComparison.Ordinal);
        Assert.Null(dead.NextAttemptAt);
    }

    [Fact]
    public async Task PermanentFailure_DeadAfterOneAttempt()
    {
        var script = new HandlerScript { Behaviour = (_, _, _) => throw new WebhookPermanentFailureException("order 42 does not exist") };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script);
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));

        WebhookEvent dead = await h.WaitForAsync("github:d1", e => e.Status == WebhookEventStatus.Dead);
        Assert.Equal(1, dead.Attempts);
        Assert.Contains("order 42 does not exist", dead.LastError, StringComparison.Ordinal);
        await h.WaitForAsync("github:d1", _ => true, TimeSpan.FromMinutes(10));
        Assert.Equal(1, h.Script.CallsFor("github:d1"));
    }

    [Fact]
    public async Task NoHandlerForType_ProcessedAndMarkedUnhandled()
    {
        await using PipelineHarness h = await PipelineHarness.StartAsync();
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1", type: "issues"));

        WebhookEvent e = await h.WaitForAsync("github:d1", e => e.Status == WebhookEventStatus.Processed);
        Assert.True(e.Unhandled);
        Assert.Equal(0, h.Script.CallsFor("github:d1"));
    }

    [Fact]
    public async Task SixtyFourWorkersRaceOnOneEvent_HandlerRunsOnce()
    {
        var script = new HandlerScript { Behaviour = async (_, _, _) => await Task.Delay(20, CancellationToken.None) };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, start: false);
        await h.Store.AppendAsync(PipelineHarness.Event("d1"));

        using var gate = new ManualResetEventSlim();
        Task[] workers = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            gate.Wait();
            await h.Dispatcher.ProcessAsync("github:d1");
        })).ToArray();
        gate.Set();
        await Task.WhenAll(workers);

        Assert.Equal(1, h.Script.CallsFor("github:d1"));
        Assert.Equal(WebhookEventStatus.Processed, (await h.Store.GetAsync("github:d1"))!.Status);
    }

    [Fact]
    public async Task WorkerCrashesHoldingLease_AnotherProcessesAfterExpiryAndStaleCompletionIsRefused()
    {
        var clock = new ManualTimeProvider();
        var store = new InMemoryEventStore(clock);
        var idempotency = new InMemoryIdempotencyStore(clock);
        using var releaseStale = new SemaphoreSlim(0);
        var staleScript = new HandlerScript { Behaviour = async (_, _, _) => await releaseStale.WaitAsync(CancellationToken.None) }; // hangs, ignoring cancellation
        var liveScript = new HandlerScript();

        await using PipelineHarness stale = await PipelineHarness.StartAsync(staleScript, clock: clock, store: store, idempotency: idempotency);
        await stale.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));
        WebhookEvent held = await stale.WaitForAsync("github:d1", e => e.Status == WebhookEventStatus.Processing, TimeSpan.Zero);

        await using PipelineHarness live = await PipelineHarness.StartAsync(liveScript, clock: clock, store: store, idempotency: idempotency);
        Assert.Equal(0, liveScript.CallsFor("github:d1"));

        WebhookEvent processed = await live.WaitForAsync("github:d1", e => e.Status == WebhookEventStatus.Processed, TimeSpan.FromSeconds(2));
        Assert.True(clock.GetUtcNow() >= held.LeaseExpiresAt);
        Assert.Equal(2, processed.Attempts);
        Assert.Equal(1, liveScript.CallsFor("github:d1"));

        releaseStale.Release();
        await stale.StopAsync();
        WebhookEvent after = (await store.GetAsync("github:d1"))!;
        Assert.Equal(WebhookEventStatus.Processed, after.Status);
        Assert.Equal(processed.CompletedAt, after.CompletedAt);
        Assert.Equal(IdempotencyStatus.AlreadyProcessed, (await idempotency.TryBeginAsync("github:d1", TimeSpan.FromSeconds(1))).Status);
    }

    [Fact]
    public async Task Restart_NewHostOverSameStore_PicksUpQueuedDueFailedAndExpiredProcessing()
    {
        var clock = new ManualTimeProvider();
        var store = new InMemoryEventStore(clock);
        var idempotency = new InMemoryIdempotencyStore(clock);
        DateTimeOffset now = clock.GetUtcNow();

        // What a killed process leaves behind.
        await store.AppendAsync(PipelineHarness.Event("queued"));
        await store.AppendAsync(PipelineHarness.Event("failed"));
        await store.AppendAsync(PipelineHarness.Event("processing"));
        await store.AppendAsync(PipelineHarness.Event("failed-later"));
        await UpdateAsync(store, "github:failed", e => WebhookEventUpdate.From(e) with { Status = WebhookEventStatus.Failed, Attempts = 1, NextAttemptAt = now.AddSeconds(-5), LastError = "x" });
        await UpdateAsync(store, "github:failed-later", e => WebhookEventUpdate.From(e) with { Status = WebhookEventStatus.Failed, Attempts = 1, NextAttemptAt = now.AddHours(1) });
        IdempotencyBeginResult crashed = await idempotency.TryBeginAsync("github:processing", TimeSpan.FromSeconds(30));
        await UpdateAsync(store, "github:processing", e => WebhookEventUpdate.From(e) with { Status = WebhookEventStatus.Processing, Attempts = 1, LeaseExpiresAt = now.AddSeconds(30) });
        clock.Advance(TimeSpan.FromSeconds(31));

        await using PipelineHarness restarted = await PipelineHarness.StartAsync(clock: clock, store: store, idempotency: idempotency);
        foreach (string id in new[] { "github:queued", "github:failed", "github:processing" })
        {
            await restarted.WaitForAsync(id, e => e.Status == WebhookEventStatus.Processed, TimeSpan.Zero);
        }

        Assert.Equal(WebhookEventStatus.Failed, (await store.GetAsync("github:failed-later"))!.Status);
        Assert.Equal(2, (await store.GetAsync("github:processing"))!.Attempts);
        Assert.False(await idempotency.CompleteAsync("github:processing", crashed.Token, TimeSpan.FromHours(1)));
    }

    [Fact]
    public async Task Shutdown_RunningHandlerFinishes_NewWorkStaysQueued()
    {
        using var release = new SemaphoreSlim(0);
        var script = new HandlerScript { Behaviour = async (_, _, _) => await release.WaitAsync(CancellationToken.None) };
        PipelineHarness h = await PipelineHarness.StartAsync(script, configure: o => o.Processing.Concurrency = 1);
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("running"));
        await h.WaitForAsync("github:running", e => e.Status == WebhookEventStatus.Processing, TimeSpan.Zero);
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("waiting"));

        Task stopping = h.StopAsync();
        await Task.Delay(50);
        Assert.False(stopping.IsCompleted);
        release.Release();
        await stopping;

        Assert.Equal(WebhookEventStatus.Processed, (await h.Store.GetAsync("github:running"))!.Status);
        Assert.Equal(WebhookEventStatus.Queued, (await h.Store.GetAsync("github:waiting"))!.Status);
        Assert.Equal(0, h.Script.CallsFor("github:waiting"));
        await h.DisposeAsync();
    }

    [Fact]
    public async Task Shutdown_TimeoutPasses_HandlerCancelledAndEventLeftQueued()
    {
        var script = new HandlerScript { Behaviour = async (_, _, token) => await Task.Delay(Timeout.Infinite, token) };
        PipelineHarness h = await PipelineHarness.StartAsync(script);
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("slow"));
        await h.WaitForAsync("github:slow", e => e.Status == WebhookEventStatus.Processing, TimeSpan.Zero);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await h.StopAsync(timeout.Token);

        WebhookEvent e = await h.WaitForAsync("github:slow", e => e.Status == WebhookEventStatus.Queued, TimeSpan.Zero);
        Assert.Equal(0, e.Attempts);
        Assert.Equal(IdempotencyStatus.Started, (await h.Idempotency.TryBeginAsync("github:slow", TimeSpan.FromSeconds(1))).Status);
        await h.DisposeAsync();
    }

    [Fact]
    public async Task HandlerOutlivesLease_CancelledAndRetried()
    {
        var script = new HandlerScript { Behaviour = async (_, call, token) => { if (call == 1) { await Task.Delay(Timeout.Infinite, token); } } };
        await using PipelineHarness h = await PipelineHarness.StartAsync(script, configure: o => o.Retry.BaseDelay = TimeSpan.FromSeconds(1));
        await h.Pipeline.AcceptAsync(PipelineHarness.Event("d1"));

        WebhookEvent e = await h.WaitForAsync("github:d1", e => e.Status == WebhookEventStatus.Processed, TimeSpan.FromSeconds(1));
        Assert.Equal(2, e.Attempts);
    }

    private static async Task UpdateAsync(IEventStore store, string id, Func<WebhookEvent, WebhookEventUpdate> change)
    {
        WebhookEvent e = (await store.GetAsync(id))!;
        Assert.NotNull(await store.UpdateAsync(id, change(e)));
    }
}
