using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Storage;

namespace Webhooks.Tests.Storage;

/// <summary>The behaviour every <see cref="IWebhookEventStore"/> must have; each store's test class derives from this one.</summary>
public abstract class EventStoreContractTests
{
    protected static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    protected static readonly TimeSpan Retention = TimeSpan.FromHours(72);

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>Creates an empty store whose clock is <see cref="Clock"/> (or moved by <see cref="AdvanceStoreClockAsync"/>).</summary>
    protected abstract IWebhookEventStore CreateStore(TimeSpan? processedRetention = null, int? maxEvents = null, long? maxBytes = null);

    /// <summary>Moves the store's own clock forward.</summary>
    protected virtual Task AdvanceStoreClockAsync(TimeSpan by)
    {
        Clock.Advance(by);
        return Task.CompletedTask;
    }

    protected WebhookEvent NewEvent(string deliveryId, string body = "{\"a\":1}", string source = "github") =>
        WebhookEvent.Create(source, deliveryId, "push", new Dictionary<string, string> { ["X-GitHub-Event"] = "push", ["Content-Type"] = "application/json" }, Encoding.UTF8.GetBytes(body), Clock.GetUtcNow());

    [Fact]
    public async Task AppendAsync_New_QueuedSummaryAndEventReadSeparately()
    {
        IWebhookEventStore store = CreateStore();
        byte[] body = Encoding.UTF8.GetBytes("{\r\n \"é\": \"x\" }  ");
        WebhookEvent e = WebhookEvent.Create("github", "d1", "push", new Dictionary<string, string> { ["X-GitHub-Event"] = "push" }, body, Clock.GetUtcNow());

        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(e));
        WebhookEventSummary summary = (await store.GetAsync("github:d1"))!;
        Assert.Equal(WebhookEventStatus.Queued, summary.Status);
        Assert.Equal(("github", "push", 0, body.Length), (summary.Source, summary.EventType, summary.Attempts, (int)summary.BodyLength));
        Assert.Equal(e.ReceivedAt, summary.ReceivedAt);
        Assert.Null(summary.LeaseExpiresAt);

        WebhookEvent read = (await store.ReadAsync("github:d1"))!;
        Assert.Equal(body, read.Body.ToArray());
        Assert.Equal("push", read.Headers["x-github-event"]);
    }

    [Fact]
    public async Task AppendAsync_TraceParent_KeptForReadsAndClaims()
    {
        IWebhookEventStore store = CreateStore();
        const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        await store.AppendAsync(NewEvent("traced") with { TraceParent = TraceParent });
        await store.AppendAsync(NewEvent("untraced", body: "{\"b\":2}"));

        Assert.Equal(TraceParent, (await store.ReadAsync("github:traced"))!.TraceParent);
        Assert.Null((await store.ReadAsync("github:untraced"))!.TraceParent);
        IReadOnlyList<WebhookClaim> claims = await store.ClaimAsync(2, Lease);
        Assert.Equal(TraceParent, claims.Single(c => c.Event.Id == "github:traced").Event.TraceParent);
        Assert.Null(claims.Single(c => c.Event.Id == "github:untraced").Event.TraceParent);
    }

    [Fact]
    public async Task AppendAsync_BinaryBody_ByteExact()
    {
        IWebhookEventStore store = CreateStore();
        byte[] body = Enumerable.Range(0, 512).Select(i => (byte)(i * 7)).ToArray();
        await store.AppendAsync(WebhookEvent.Create("github", "bin", "push", [], body, Clock.GetUtcNow()));
        Assert.Equal(body, (await store.ReadAsync("github:bin"))!.Body.ToArray());
    }

    [Fact]
    public async Task AppendAsync_SameIdSameBody_Duplicate()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        Assert.Equal(WebhookAppendResult.Duplicate, await store.AppendAsync(NewEvent("d1")));
    }

    [Fact]
    public async Task AppendAsync_SameIdOtherBody_ConflictingAndStoredUnchanged()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1", "{\"a\":1}"));
        Assert.Equal(WebhookAppendResult.ConflictingDuplicate, await store.AppendAsync(NewEvent("d1", "{\"a\":2}")));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString((await store.ReadAsync("github:d1"))!.Body.Span));
    }

    [Fact]
    public async Task AppendAsync_SameBodyOtherIdDeduplicatedByBody_DuplicateAndNothingStored()
    {
        IWebhookEventStore store = CreateStore();
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("d1", "{\"push\":1}") with { DeduplicateByBody = true }));
        Assert.Equal(WebhookAppendResult.Duplicate, await store.AppendAsync(NewEvent("d2", "{\"push\":1}") with { DeduplicateByBody = true }));
        Assert.Null(await store.GetAsync("github:d2"));

        // Other bytes, or an event that does not ask for it, are not matched by body.
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("d3", "{\"push\":2}") with { DeduplicateByBody = true }));
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("d4", "{\"push\":1}")));
        Assert.Equal(4 - 1, (await store.CountAsync()).Total);
    }

    [Fact]
    public async Task AppendAsync_DeduplicatedByBody_ForgottenWithTheEvent()
    {
        IWebhookEventStore store = CreateStore(processedRetention: TimeSpan.FromHours(1));
        await store.AppendAsync(NewEvent("d1", "{\"push\":1}") with { DeduplicateByBody = true });
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.True(await store.CompleteAsync("github:d1", claim.Token, unhandled: false));
        Assert.Equal(WebhookAppendResult.Duplicate, await store.AppendAsync(NewEvent("d2", "{\"push\":1}") with { DeduplicateByBody = true }));

        await AdvanceStoreClockAsync(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("d2", "{\"push\":1}") with { DeduplicateByBody = true }));
        Assert.True(await store.DeleteAsync("github:d2"));
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("d3", "{\"push\":1}") with { DeduplicateByBody = true }));
    }

    [Fact]
    public async Task AppendAsync_ThousandConcurrentSameId_ExactlyOneAppended()
    {
        IWebhookEventStore store = CreateStore();
        WebhookAppendResult[] results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(async () => await store.AppendAsync(NewEvent("same")))));
        Assert.Equal(1, results.Count(r => r == WebhookAppendResult.Appended));
        Assert.Equal(999, results.Count(r => r == WebhookAppendResult.Duplicate));
    }

    [Fact]
    public async Task ClaimAsync_NothingDue_Empty()
    {
        Assert.Empty(await CreateStore().ClaimAsync(10, Lease));
    }

    [Fact]
    public async Task ClaimAsync_DueEvents_OldestFirstUpToMaxWithBodyAttemptAndLease()
    {
        IWebhookEventStore store = CreateStore();
        foreach (string id in new[] { "a", "b", "c" })
        {
            await store.AppendAsync(NewEvent(id, "{\"id\":\"" + id + "\"}"));
            await AdvanceStoreClockAsync(TimeSpan.FromSeconds(1));
        }

        IReadOnlyList<WebhookClaim> claims = await store.ClaimAsync(2, Lease);
        Assert.Equal(["github:a", "github:b"], claims.Select(c => c.Event.Id));
        Assert.All(claims, c => Assert.Equal(1, c.Event.Attempts));
        Assert.Equal("{\"id\":\"a\"}", Encoding.UTF8.GetString(claims[0].Event.Body.Span));
        Assert.NotEqual(claims[0].Token, claims[1].Token);

        WebhookEventSummary a = (await store.GetAsync("github:a"))!;
        Assert.Equal(WebhookEventStatus.Processing, a.Status);
        Assert.Equal(1, a.Attempts);
        Assert.Equal(claims[0].LeaseExpiresAt, a.LeaseExpiresAt);
        Assert.Equal(Clock.GetUtcNow() + Lease, a.LeaseExpiresAt);

        Assert.Equal(["github:c"], (await store.ClaimAsync(10, Lease)).Select(c => c.Event.Id));
        Assert.Empty(await store.ClaimAsync(10, Lease));
    }

    [Fact]
    public async Task ClaimAsync_LeaseExpiresOnStoreClock_TakenOverWithGreaterTokenAttemptNotCounted()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim first = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal((1, 0), (first.Event.Attempts, first.Event.Interruptions));

        await AdvanceStoreClockAsync(Lease - TimeSpan.FromSeconds(1));
        Assert.Empty(await store.ClaimAsync(10, Lease));

        // The first attempt was interrupted (its process died, or lost the store): the same attempt is made again.
        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(1));
        WebhookClaim second = Assert.Single(await store.ClaimAsync(10, Lease));
        Assert.True(second.Token > first.Token);
        Assert.Equal((1, 1), (second.Event.Attempts, second.Event.Interruptions));
        Assert.Equal(1, (await store.GetAsync("github:d1"))!.Attempts);

        // An attempt that ends resets the count of interruptions in a row.
        Assert.True(await store.FailAsync("github:d1", second.Token, "x", TimeSpan.Zero));
        WebhookClaim third = Assert.Single(await store.ClaimAsync(10, Lease));
        Assert.Equal((2, 0), (third.Event.Attempts, third.Event.Interruptions));
    }

    [Fact]
    public async Task ClaimAsync_InterruptedAgainAndAgain_CountedPastTheBound()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("poison"));
        var seen = new List<(int Attempts, int Interruptions)>();
        for (int i = 0; i < IWebhookEventStore.MaxUncountedInterruptions + 3; i++)
        {
            WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));
            seen.Add((claim.Event.Attempts, claim.Event.Interruptions));
            await AdvanceStoreClockAsync(Lease);
        }

        // An event that stops every process that runs it still uses up its attempts, after the uncounted ones.
        Assert.Equal([(1, 0), (1, 1), (1, 2), (1, 3), (2, 4), (3, 5)], seen);
    }

    [Fact]
    public async Task ReleaseAsync_AfterTakingOverAnInterruptedAttempt_NotCountedEither()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        Assert.Single(await store.ClaimAsync(1, Lease));
        await AdvanceStoreClockAsync(Lease);
        WebhookClaim takeover = Assert.Single(await store.ClaimAsync(1, Lease));

        Assert.True(await store.ReleaseAsync("github:d1", takeover.Token));
        Assert.Equal(0, (await store.GetAsync("github:d1"))!.Attempts);
        WebhookEvent again = Assert.Single(await store.ClaimAsync(1, Lease)).Event;
        Assert.Equal((1, 0), (again.Attempts, again.Interruptions));
    }

    [Fact]
    public async Task DeferAsync_CurrentToken_QueuedUncountedAndDueAfterTheDelay()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));

        Assert.True(await store.DeferAsync("github:d1", claim.Token, TimeSpan.FromSeconds(10)));
        Assert.False(await store.DeferAsync("github:d1", claim.Token, TimeSpan.FromSeconds(10)));
        WebhookEventSummary deferred = (await store.GetAsync("github:d1"))!;
        Assert.Equal((WebhookEventStatus.Queued, 0), (deferred.Status, deferred.Attempts));

        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(9));
        Assert.Empty(await store.ClaimAsync(1, Lease));
        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(1, Assert.Single(await store.ClaimAsync(1, Lease)).Event.Attempts);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("delay", async () => await store.DeferAsync("github:d1", claim.Token, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task ClaimAsync_TakesTheRunAndReportsSucceededHandlers_UnlessAnEarlierRunStillHoldsIt()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim first = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.True(first.HoldsRun);
        Assert.Empty(first.SucceededHandlers);

        // The run the claim took is ended like one begun by BeginHandlerAsync.
        Assert.True(await store.EndHandlerAsync("github:d1", first.Token, "Charge", succeeded: true));
        Assert.True(await store.FailAsync("github:d1", first.Token, "mail down", TimeSpan.Zero));
        WebhookClaim second = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.True(second.HoldsRun);
        Assert.Equal(["Charge"], second.SucceededHandlers);

        // A handler of the second attempt never returns (stuck): its run outlives the attempt, and the next claim does not hold it.
        Assert.True(await store.FailAsync("github:d1", second.Token, "stuck", TimeSpan.Zero));
        WebhookClaim third = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.False(third.HoldsRun);
        Assert.Equal(WebhookHandlerBeginResult.Busy, await store.BeginHandlerAsync("github:d1", third.Token, "Mail"));

        // A completion needs no end of the last run, and a forced replay starts with nothing succeeded.
        await AdvanceStoreClockAsync(Lease);
        WebhookClaim fourth = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.True(fourth.HoldsRun);
        Assert.True(await store.CompleteAsync("github:d1", fourth.Token, unhandled: false));
        Assert.Equal(WebhookReplayResult.Queued, await store.ReplayAsync("github:d1", force: true));
        WebhookClaim replayed = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.True(replayed.HoldsRun);
        Assert.Empty(replayed.SucceededHandlers);
    }

    [Fact]
    public async Task BeginHandlerAsync_SucceededHandler_SkippedByLaterAttemptsOthersStillRun()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim first = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.Started, await store.BeginHandlerAsync("github:d1", first.Token, "Charge"));
        Assert.True(await store.EndHandlerAsync("github:d1", first.Token, "Charge", succeeded: true));
        Assert.False(await store.EndHandlerAsync("github:d1", first.Token, "Charge", succeeded: true));
        Assert.Equal(WebhookHandlerBeginResult.Started, await store.BeginHandlerAsync("github:d1", first.Token, "Mail"));
        Assert.True(await store.EndHandlerAsync("github:d1", first.Token, "Mail", succeeded: false));
        Assert.True(await store.FailAsync("github:d1", first.Token, "mail down", TimeSpan.Zero));

        WebhookClaim second = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.AlreadySucceeded, await store.BeginHandlerAsync("github:d1", second.Token, "Charge"));
        Assert.Equal(WebhookHandlerBeginResult.Started, await store.BeginHandlerAsync("github:d1", second.Token, "Mail"));
        Assert.Equal(WebhookHandlerBeginResult.LeaseLost, await store.BeginHandlerAsync("github:d1", first.Token, "Other"));
        Assert.Equal(WebhookHandlerBeginResult.LeaseLost, await store.BeginHandlerAsync("github:nope", second.Token, "Mail"));
    }

    [Fact]
    public async Task BeginHandlerAsync_RunOfACrashedAttempt_TakenOverOnceItsClaimsLeaseEnds()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim crashed = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.Started, await store.BeginHandlerAsync("github:d1", crashed.Token, "Charge"));

        // The run's hold is the claim's lease: renewed with it, and ended with it.
        await AdvanceStoreClockAsync(Lease / 2);
        Assert.True(await store.RenewAsync("github:d1", crashed.Token, Lease));
        await AdvanceStoreClockAsync(Lease - TimeSpan.FromSeconds(1));
        Assert.Empty(await store.ClaimAsync(1, Lease));
        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(1));

        WebhookClaim next = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.Started, await store.BeginHandlerAsync("github:d1", next.Token, "Charge"));
        Assert.False(await store.EndHandlerAsync("github:d1", crashed.Token, "Charge", succeeded: true));
        Assert.True(await store.EndHandlerAsync("github:d1", next.Token, "Charge", succeeded: true));
        Assert.True(await store.CompleteAsync("github:d1", next.Token, unhandled: false));
        Assert.Equal((WebhookEventStatus.Processed, 1), ((await store.GetAsync("github:d1"))!.Status, (await store.GetAsync("github:d1"))!.Attempts));
    }

    [Fact]
    public async Task BeginHandlerAsync_RunHeldByALiveStuckHandler_BusyUntilItsHoldEnds()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim stuck = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.Started, await store.BeginHandlerAsync("github:d1", stuck.Token, "Charge"));
        Assert.True(await store.FailAsync("github:d1", stuck.Token, "stuck", TimeSpan.Zero));

        // The attempt ended but its handler still runs: its process keeps renewing the run's hold.
        WebhookClaim next = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.Busy, await store.BeginHandlerAsync("github:d1", next.Token, "Charge"));
        Assert.True(await store.DeferAsync("github:d1", next.Token, Lease));
        await AdvanceStoreClockAsync(Lease - TimeSpan.FromSeconds(5));
        Assert.True(await store.RenewHandlerAsync("github:d1", stuck.Token, Lease));
        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(5));
        next = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(2, next.Event.Attempts);
        Assert.Equal(WebhookHandlerBeginResult.Busy, await store.BeginHandlerAsync("github:d1", next.Token, "Charge"));
        Assert.False(await store.RenewHandlerAsync("github:d1", next.Token, Lease));

        // Its hold ends without a renewal: the next claim takes the run over; the stuck run can no longer record anything.
        await AdvanceStoreClockAsync(Lease);
        next = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.Started, await store.BeginHandlerAsync("github:d1", next.Token, "Charge"));
        Assert.False(await store.RenewHandlerAsync("github:d1", stuck.Token, Lease));
        Assert.False(await store.EndHandlerAsync("github:d1", stuck.Token, "Charge", succeeded: true));
    }

    [Fact]
    public async Task EndHandlerAsync_StuckHandlerReturnsLate_ItsSuccessRecordedForTheNextAttempt()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim stuck = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.Started, await store.BeginHandlerAsync("github:d1", stuck.Token, "Charge"));
        Assert.True(await store.FailAsync("github:d1", stuck.Token, "stuck", TimeSpan.FromSeconds(10)));

        Assert.True(await store.EndHandlerAsync("github:d1", stuck.Token, "Charge", succeeded: true));
        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(10));
        WebhookClaim next = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.AlreadySucceeded, await store.BeginHandlerAsync("github:d1", next.Token, "Charge"));
    }

    [Fact]
    public async Task HandlerSuccesses_KeptWhileDeadPastRetentionForgottenByForcedReplayAndDelete()
    {
        IWebhookEventStore store = CreateStore(processedRetention: TimeSpan.FromHours(1));
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.Started, await store.BeginHandlerAsync("github:d1", claim.Token, "Charge"));
        Assert.True(await store.EndHandlerAsync("github:d1", claim.Token, "Charge", succeeded: true));
        Assert.True(await store.FailAsync("github:d1", claim.Token, "mail bounced", retryDelay: null));

        // A week later, well past the retention of processed events, the dead event is replayed: the charge is not made again.
        await AdvanceStoreClockAsync(TimeSpan.FromDays(7));
        Assert.Equal(WebhookReplayResult.Queued, await store.ReplayAsync("github:d1", force: false));
        claim = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.AlreadySucceeded, await store.BeginHandlerAsync("github:d1", claim.Token, "Charge"));
        Assert.True(await store.CompleteAsync("github:d1", claim.Token, unhandled: false));

        // A forced replay runs every handler again.
        Assert.Equal(WebhookReplayResult.Queued, await store.ReplayAsync("github:d1", force: true));
        claim = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.Started, await store.BeginHandlerAsync("github:d1", claim.Token, "Charge"));
        Assert.True(await store.EndHandlerAsync("github:d1", claim.Token, "Charge", succeeded: true));
        Assert.True(await store.FailAsync("github:d1", claim.Token, "x", retryDelay: null));

        // Deleted and delivered again under the same id: a new event, with nothing recorded.
        Assert.True(await store.DeleteAsync("github:d1"));
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("d1")));
        claim = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(WebhookHandlerBeginResult.Started, await store.BeginHandlerAsync("github:d1", claim.Token, "Charge"));
    }

    [Fact]
    public async Task ClaimAsync_ProcessedAndDeadEvents_NeverClaimed()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("done"));
        await store.AppendAsync(NewEvent("dead"));
        IReadOnlyList<WebhookClaim> claims = await store.ClaimAsync(2, Lease);
        Assert.True(await store.CompleteAsync("github:done", claims.Single(c => c.Event.Id == "github:done").Token, unhandled: false));
        Assert.True(await store.FailAsync("github:dead", claims.Single(c => c.Event.Id == "github:dead").Token, "boom", retryDelay: null));

        await AdvanceStoreClockAsync(TimeSpan.FromDays(1));
        Assert.Empty(await store.ClaimAsync(10, Lease));
    }

    [Fact]
    public async Task ClaimAsync_ThousandEventsSixteenConcurrentWorkers_EachClaimedExactlyOnce()
    {
        IWebhookEventStore store = CreateStore();
        for (int i = 0; i < 1000; i++)
        {
            await store.AppendAsync(NewEvent("e" + i));
        }

        var claimed = new ConcurrentBag<WebhookClaim>();
        using var gate = new ManualResetEventSlim();
        Task[] workers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            gate.Wait();
            while (true)
            {
                IReadOnlyList<WebhookClaim> batch = await store.ClaimAsync(7, Lease);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (WebhookClaim claim in batch)
                {
                    claimed.Add(claim);
                }
            }
        })).ToArray();
        gate.Set();
        await Task.WhenAll(workers);

        Assert.Equal(1000, claimed.Count);
        Assert.Equal(1000, claimed.Select(c => c.Event.Id).Distinct().Count());
        Assert.Equal(1000, claimed.Select(c => c.Token).Distinct().Count());
        Assert.Equal(1000, (await store.CountAsync()).Processing);
    }

    [Fact]
    public async Task CompleteAsync_CurrentToken_ProcessedThenForgottenAfterRetention()
    {
        IWebhookEventStore store = CreateStore(processedRetention: TimeSpan.FromHours(1));
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.True(await store.CompleteAsync("github:d1", claim.Token, unhandled: true));

        WebhookEventSummary done = (await store.GetAsync("github:d1"))!;
        Assert.Equal(WebhookEventStatus.Processed, done.Status);
        Assert.True(done.Unhandled);
        Assert.Equal(Clock.GetUtcNow(), done.CompletedAt);
        Assert.Null(done.LeaseExpiresAt);
        Assert.Equal(WebhookAppendResult.Duplicate, await store.AppendAsync(NewEvent("d1")));

        await AdvanceStoreClockAsync(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        Assert.NotNull(await store.GetAsync("github:d1"));
        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(2));
        Assert.Null(await store.GetAsync("github:d1"));
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("d1")));
    }

    [Fact]
    public async Task FailAsync_WithDelay_FailedUntilRetryTimeOnStoreClock()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.True(await store.FailAsync("github:d1", claim.Token, "System.TimeoutException: slow", TimeSpan.FromMinutes(2)));

        WebhookEventSummary failed = (await store.GetAsync("github:d1"))!;
        Assert.Equal(WebhookEventStatus.Failed, failed.Status);
        Assert.Equal("System.TimeoutException: slow", failed.LastError);
        Assert.Equal(Clock.GetUtcNow() + TimeSpan.FromMinutes(2), failed.NextAttemptAt);

        await AdvanceStoreClockAsync(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        Assert.Empty(await store.ClaimAsync(10, Lease));
        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(1));
        WebhookClaim retry = Assert.Single(await store.ClaimAsync(10, Lease));
        Assert.Equal(2, retry.Event.Attempts);
    }

    [Fact]
    public async Task FailAsync_NoDelay_DeadAndKeptPastRetention()
    {
        IWebhookEventStore store = CreateStore(processedRetention: TimeSpan.FromHours(1));
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.True(await store.FailAsync("github:d1", claim.Token, "permanent", retryDelay: null));

        await AdvanceStoreClockAsync(TimeSpan.FromDays(30));
        WebhookEventSummary dead = (await store.GetAsync("github:d1"))!;
        Assert.Equal(WebhookEventStatus.Dead, dead.Status);
        Assert.Equal("permanent", dead.LastError);
        Assert.NotNull(dead.CompletedAt);
        Assert.Null(dead.NextAttemptAt);
    }

    [Fact]
    public async Task ReleaseAsync_CurrentToken_QueuedAttemptNotCountedClaimableAtOnce()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.True(await store.ReleaseAsync("github:d1", claim.Token));

        WebhookEventSummary queued = (await store.GetAsync("github:d1"))!;
        Assert.Equal((WebhookEventStatus.Queued, 0), (queued.Status, queued.Attempts));
        WebhookClaim again = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal(1, again.Event.Attempts);
        Assert.True(again.Token > claim.Token);
    }

    [Fact]
    public async Task RenewAsync_CurrentToken_LeaseExtendedFromNow()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));

        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(20));
        Assert.True(await store.RenewAsync("github:d1", claim.Token, Lease));
        Assert.Equal(Clock.GetUtcNow() + Lease, (await store.GetAsync("github:d1"))!.LeaseExpiresAt);

        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(29));
        Assert.Empty(await store.ClaimAsync(1, Lease));
        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(1));
        Assert.Single(await store.ClaimAsync(1, Lease));
    }

    [Fact]
    public async Task StaleToken_EveryTransitionRefusedAndNothingWritten()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("d1"));
        WebhookClaim stale = Assert.Single(await store.ClaimAsync(1, Lease));
        await AdvanceStoreClockAsync(Lease);
        WebhookClaim current = Assert.Single(await store.ClaimAsync(1, Lease));
        WebhookEventSummary before = (await store.GetAsync("github:d1"))!;

        Assert.False(await store.CompleteAsync("github:d1", stale.Token, unhandled: false));
        Assert.False(await store.FailAsync("github:d1", stale.Token, "late", TimeSpan.FromSeconds(1)));
        Assert.False(await store.FailAsync("github:d1", stale.Token, "late", retryDelay: null));
        Assert.False(await store.ReleaseAsync("github:d1", stale.Token));
        Assert.False(await store.RenewAsync("github:d1", stale.Token, TimeSpan.FromHours(1)));
        Assert.False(await store.DeferAsync("github:d1", stale.Token, TimeSpan.FromHours(1)));
        Assert.Equal(WebhookHandlerBeginResult.LeaseLost, await store.BeginHandlerAsync("github:d1", stale.Token, "H"));
        Assert.Equal(before, await store.GetAsync("github:d1"));

        // The new owner makes it dead; the stale worker's late release (say at its shutdown) must not bring it back.
        Assert.True(await store.FailAsync("github:d1", current.Token, "permanent", retryDelay: null));
        WebhookEventSummary dead = (await store.GetAsync("github:d1"))!;
        Assert.False(await store.ReleaseAsync("github:d1", stale.Token));
        Assert.False(await store.ReleaseAsync("github:d1", current.Token));
        Assert.False(await store.CompleteAsync("github:d1", current.Token, unhandled: false));
        Assert.Equal(dead, await store.GetAsync("github:d1"));
        Assert.Equal((WebhookEventStatus.Dead, 1), (dead.Status, dead.Attempts));
    }

    [Fact]
    public async Task Transitions_UnknownIdOrOtherEventsToken_Refused()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("a"));
        await store.AppendAsync(NewEvent("b"));
        IReadOnlyList<WebhookClaim> claims = await store.ClaimAsync(2, Lease);
        long tokenOfA = claims.Single(c => c.Event.Id == "github:a").Token;

        Assert.False(await store.CompleteAsync("github:b", tokenOfA, unhandled: false));
        Assert.False(await store.CompleteAsync("github:none", tokenOfA, unhandled: false));
        Assert.False(await store.RenewAsync("github:none", tokenOfA, Lease));
        Assert.Equal(WebhookEventStatus.Processing, (await store.GetAsync("github:b"))!.Status);
    }

    [Fact]
    public async Task ListAsync_NewestFirstByCursorWithStatusFilter_EachOnceAndLaterAppendsNotOnLaterPages()
    {
        IWebhookEventStore store = CreateStore();
        for (int i = 0; i < 7; i++)
        {
            await store.AppendAsync(NewEvent("d" + i));
            await AdvanceStoreClockAsync(TimeSpan.FromSeconds(1));
        }

        WebhookClaim claim = (await store.ClaimAsync(1, Lease)).Single();
        Assert.Equal("github:d0", claim.Event.Id);
        await store.FailAsync(claim.Event.Id, claim.Token, "x", retryDelay: null);

        var seen = new List<string>();
        string? cursor = null;
        int pages = 0;
        do
        {
            WebhookEventPage page = await store.ListAsync(WebhookEventStatus.Queued, 2, cursor);
            Assert.InRange(page.Items.Count, 1, 2);
            Assert.All(page.Items, e => Assert.Equal(WebhookEventStatus.Queued, e.Status));
            seen.AddRange(page.Items.Select(e => e.Id));
            cursor = page.Cursor;
            if (pages++ == 0)
            {
                await store.AppendAsync(NewEvent("late"));
            }
        }
        while (cursor is not null);

        Assert.Equal(["github:d6", "github:d5", "github:d4", "github:d3", "github:d2", "github:d1"], seen);
        Assert.Equal(["github:d0"], (await store.ListAsync(WebhookEventStatus.Dead, 10)).Items.Select(e => e.Id));
        WebhookEventPage all = await store.ListAsync(null, 100);
        Assert.Equal(8, all.Items.Count);
        Assert.Equal("github:late", all.Items[0].Id);
        Assert.Null(all.Cursor);
    }

    [Fact]
    public async Task ListAsync_EveryStatusInPages_EachEventOnceNewestFirst()
    {
        // Ten events in four statuses, listed two at a time over all statuses: every event once, newest arrival first.
        IWebhookEventStore store = CreateStore();
        for (int i = 0; i < 10; i++)
        {
            await store.AppendAsync(NewEvent("m" + i));
            await AdvanceStoreClockAsync(TimeSpan.FromSeconds(1));
        }

        // m0 dead, m1 processed, m2 processing (claimed), the rest queued.
        WebhookClaim first = (await store.ClaimAsync(1, Lease)).Single();
        Assert.True(await store.FailAsync(first.Event.Id, first.Token, "x", retryDelay: null));
        WebhookClaim second = (await store.ClaimAsync(1, Lease)).Single();
        Assert.True(await store.CompleteAsync(second.Event.Id, second.Token, unhandled: false));
        Assert.Equal("github:m2", (await store.ClaimAsync(1, Lease)).Single().Event.Id);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            WebhookEventPage page = await store.ListAsync(null, 2, cursor);
            Assert.InRange(page.Items.Count, 1, 2);
            seen.AddRange(page.Items.Select(e => e.Id));
            cursor = page.Cursor;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(0, 10).Reverse().Select(i => "github:m" + i), seen);
    }

    [Fact]
    public async Task ListAsync_ForeignCursor_ArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>("cursor", async () => await CreateStore().ListAsync(null, 10, "not-a-cursor"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("limit", async () => await CreateStore().ListAsync(null, 0));
    }

    [Fact]
    public async Task CountAsync_OldestDueAt_TracksTheLongestWaitingDueEvent()
    {
        IWebhookEventStore store = CreateStore();
        Assert.Null((await store.CountAsync()).OldestDueAt);

        DateTimeOffset first = Clock.GetUtcNow();
        await store.AppendAsync(NewEvent("a"));
        await AdvanceStoreClockAsync(TimeSpan.FromMinutes(1));
        await store.AppendAsync(NewEvent("b"));
        await AdvanceStoreClockAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(first, (await store.CountAsync()).OldestDueAt);

        // Claimed: no longer waiting. The other one is.
        WebhookClaim a = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Equal("github:a", a.Event.Id);
        Assert.Equal(first + TimeSpan.FromMinutes(1), (await store.CountAsync()).OldestDueAt);
        WebhookClaim b = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.Null((await store.CountAsync()).OldestDueAt);

        // A retry is due only once its time has come; an expired lease is due again.
        Assert.True(await store.FailAsync(a.Event.Id, a.Token, "boom", TimeSpan.FromMinutes(5)));
        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(20));
        Assert.Null((await store.CountAsync()).OldestDueAt);
        await AdvanceStoreClockAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(b.LeaseExpiresAt, (await store.CountAsync()).OldestDueAt);
        Assert.True(await store.DeleteAsync(b.Event.Id));
        Assert.Null((await store.CountAsync()).OldestDueAt);
        await AdvanceStoreClockAsync(TimeSpan.FromMinutes(5));
        DateTimeOffset? retryDue = (await store.CountAsync()).OldestDueAt;
        Assert.NotNull(retryDue);
        Assert.True(retryDue <= Clock.GetUtcNow());
    }

    [Fact]
    public async Task CountAsync_OnePerStatus()
    {
        IWebhookEventStore store = CreateStore();
        await OneInEachStatusAsync(store);

        WebhookEventCounts counts = await store.CountAsync();
        Assert.Equal((1, 1, 1, 1, 1, 5), (counts.Queued, counts.Processing, counts.Processed, counts.Failed, counts.Dead, counts.Total));
        Assert.Equal(1, counts[WebhookEventStatus.Dead]);
    }

    [Fact]
    public async Task ReplayAsync_EachStatus_QueuedOrRefusedAsSpecified()
    {
        IWebhookEventStore store = CreateStore();
        Assert.Equal(WebhookReplayResult.NotFound, await store.ReplayAsync("github:none", force: true));
        await OneInEachStatusAsync(store);

        Assert.Equal(WebhookReplayResult.AlreadyPending, await store.ReplayAsync("github:q", force: true));
        Assert.Equal(WebhookReplayResult.AlreadyPending, await store.ReplayAsync("github:p", force: true));
        Assert.Equal(WebhookReplayResult.AlreadyProcessed, await store.ReplayAsync("github:done", force: false));
        Assert.Equal(WebhookReplayResult.Queued, await store.ReplayAsync("github:done", force: true));
        Assert.Equal(WebhookReplayResult.Queued, await store.ReplayAsync("github:f", force: false));
        Assert.Equal(WebhookReplayResult.Queued, await store.ReplayAsync("github:dead", force: false));

        WebhookEventSummary done = (await store.GetAsync("github:done"))!;
        Assert.Equal((WebhookEventStatus.Queued, 0, 1, 1, false, (DateTimeOffset?)null), (done.Status, done.Attempts, done.ReplayCount, done.Generation, done.Unhandled, done.CompletedAt));
        WebhookEventSummary dead = (await store.GetAsync("github:dead"))!;
        Assert.Equal((WebhookEventStatus.Queued, 0, 1, 0, (string?)null), (dead.Status, dead.Attempts, dead.ReplayCount, dead.Generation, dead.LastError));

        // Replayed events are due at once, with the generation the handlers' keys are built from.
        IReadOnlyList<WebhookClaim> replayed = await store.ClaimAsync(10, Lease);
        Assert.Equal(["github:dead", "github:done", "github:f", "github:q"], replayed.Select(c => c.Event.Id).Order(StringComparer.Ordinal));
        Assert.Equal(1, replayed.Single(c => c.Event.Id == "github:done").Event.Generation);
        Assert.All(replayed, c => Assert.Equal(1, c.Event.Attempts));
    }

    /// <summary>Stores github:q (queued), github:p (processing), github:done (processed, unhandled), github:f (failed, retry in 5 min) and github:dead.</summary>
    private async Task OneInEachStatusAsync(IWebhookEventStore store)
    {
        foreach (string id in new[] { "p", "done", "f", "dead", "q" })
        {
            await store.AppendAsync(NewEvent(id));
        }

        IReadOnlyList<WebhookClaim> claims = await store.ClaimAsync(4, Lease);
        long Token(string id) => claims.Single(c => c.Event.Id == "github:" + id).Token;
        Assert.True(await store.CompleteAsync("github:done", Token("done"), unhandled: true));
        Assert.True(await store.FailAsync("github:f", Token("f"), "x", TimeSpan.FromMinutes(5)));
        Assert.True(await store.FailAsync("github:dead", Token("dead"), "x", retryDelay: null));
    }

    [Fact]
    public async Task DeleteAsync_AnyStatus_RemovedAndHolderRefused()
    {
        IWebhookEventStore store = CreateStore();
        await store.AppendAsync(NewEvent("held"));
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));

        Assert.True(await store.DeleteAsync("github:held"));
        Assert.False(await store.DeleteAsync("github:held"));
        Assert.Null(await store.GetAsync("github:held"));
        Assert.Null(await store.ReadAsync("github:held"));
        Assert.False(await store.CompleteAsync("github:held", claim.Token, unhandled: false));
        Assert.Equal(0, (await store.CountAsync()).Total);
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("held")));
    }

    [Fact]
    public async Task AppendAsync_AtEventCapacity_UnavailableButDuplicatesStillRecognised()
    {
        IWebhookEventStore store = CreateStore(maxEvents: 2);
        await store.AppendAsync(NewEvent("a"));
        await store.AppendAsync(NewEvent("b"));

        await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await store.AppendAsync(NewEvent("c")));
        Assert.Equal(WebhookAppendResult.Duplicate, await store.AppendAsync(NewEvent("a")));
        Assert.Null(await store.GetAsync("github:c"));
        Assert.Equal(2, (await store.CountAsync()).Total);
    }

    [Fact]
    public async Task AppendAsync_AtByteCapacity_UnavailableAndNothingEvictedInsideRetention()
    {
        IWebhookEventStore store = CreateStore(processedRetention: TimeSpan.FromHours(1), maxBytes: 1024 * 1024);
        string large = "\"" + new string('x', 400 * 1024) + "\"";
        await store.AppendAsync(NewEvent("a", large));
        await store.AppendAsync(NewEvent("b", large));
        await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await store.AppendAsync(NewEvent("c", large)));
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("small")));

        // Processed events hold their room until the retention span ends, then free it.
        foreach (WebhookClaim claim in await store.ClaimAsync(10, Lease))
        {
            await store.CompleteAsync(claim.Event.Id, claim.Token, unhandled: false);
        }

        await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await store.AppendAsync(NewEvent("c", large)));
        await AdvanceStoreClockAsync(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("c", large)));
        Assert.Null(await store.GetAsync("github:a"));
    }
}
