using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Idempotency;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks.Tests.Storage;

public class InMemoryEventStoreTests : EventStoreContractTests
{
    protected override IWebhookEventStore CreateStore(TimeSpan? processedRetention = null, int? maxEvents = null, long? maxBytes = null) =>
        new InMemoryEventStore(Clock, new InMemoryStoreOptions
        {
            MaxEvents = maxEvents ?? InMemoryStoreOptions.DefaultMaxEvents,
            MaxBytes = maxBytes ?? InMemoryStoreOptions.DefaultMaxBytes,
        }, processedRetention);

    [Fact]
    public async Task AppendAsync_BodyKeptWithoutCopy()
    {
        var store = new InMemoryEventStore(Clock);
        byte[] body = [1, 2, 3];
        await store.AppendAsync(WebhookEvent.Create("github", "d", "push", [], body, Clock.GetUtcNow()));
        WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));
        Assert.True(MemoryMarshal.TryGetArray(claim.Event.Body, out ArraySegment<byte> segment));
        Assert.Same(body, segment.Array);
    }

    [Fact]
    public async Task DeadEvents_HeldInTheirOwnAllowance_IntakeStaysOpen()
    {
        var store = new InMemoryEventStore(Clock, new InMemoryStoreOptions { MaxEvents = 2, MaxDeadEvents = 3 });
        for (int i = 0; i < 3; i++)
        {
            await store.AppendAsync(NewEvent("dead" + i));
            WebhookClaim claim = Assert.Single(await store.ClaimAsync(1, Lease));
            Assert.True(await store.FailAsync(claim.Event.Id, claim.Token, "x", retryDelay: null));
        }

        // Three dead letters, and intake still has its two places.
        await store.AppendAsync(NewEvent("a"));
        await store.AppendAsync(NewEvent("b"));
        await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await store.AppendAsync(NewEvent("c")));

        // Beyond the allowance, dead events count against intake: bounded either way.
        WebhookClaim next = (await store.ClaimAsync(1, Lease)).Single();
        await store.FailAsync(next.Event.Id, next.Token, "x", retryDelay: null);
        await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await store.AppendAsync(NewEvent("c")));
        Assert.Equal(5, store.Count);

        // Deleting the dead event that overflowed into intake frees its place there.
        Assert.True(await store.DeleteAsync(next.Event.Id));
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("c")));
    }

    [Fact]
    public async Task Bytes_CountBodyHeadersAndOverhead()
    {
        var store = new InMemoryEventStore(Clock);
        await store.AppendAsync(NewEvent("d", new string('x', 1000)));
        Assert.InRange(store.Bytes, 1000 + InMemoryEventStore.EntryOverheadBytes, 1000 + InMemoryEventStore.EntryOverheadBytes + 400);
        await store.DeleteAsync("github:d");
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public async Task ListAsync_AfterManyRemovalsAndReplays_PagesStayExactNewestFirst()
    {
        var store = new InMemoryEventStore(Clock, processedRetention: TimeSpan.FromHours(1));
        for (int i = 0; i < 3000; i++)
        {
            await store.AppendAsync(NewEvent("e" + i));
        }

        foreach (WebhookClaim claim in await store.ClaimAsync(3000, Lease))
        {
            await store.CompleteAsync(claim.Event.Id, claim.Token, unhandled: false);
        }

        // Deleting most of them compacts the arrival order; a forced replay moves one back to queued.
        for (int i = 0; i < 3000; i++)
        {
            if (i % 3 != 0)
            {
                Assert.True(await store.DeleteAsync("github:e" + i));
            }
        }

        Assert.Equal(WebhookReplayResult.Queued, await store.ReplayAsync("github:e2997", force: true));
        var expected = Enumerable.Range(0, 3000).Where(i => i % 3 == 0 && i != 2997).Reverse().Select(i => "github:e" + i).ToList();

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            WebhookEventPage page = await store.ListAsync(WebhookEventStatus.Processed, 97, cursor);
            seen.AddRange(page.Items.Select(e => e.Id));
            cursor = page.Cursor;
        }
        while (cursor is not null);

        Assert.Equal(expected, seen);
        Assert.Equal(["github:e2997"], (await store.ListAsync(WebhookEventStatus.Queued, 10)).Items.Select(e => e.Id));
        Assert.Equal("github:e2997", (await store.ListAsync(null, 1)).Items.Single().Id);
        Assert.Equal(1000, (await store.ListAsync(null, 5000)).Items.Count);

        // Retention forgets the processed ones, not the replayed one.
        Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(["github:e2997"], (await store.ListAsync(null, 5000)).Items.Select(e => e.Id));
        Assert.Equal(1, (await store.CountAsync()).Total);
    }

    [Fact]
    public async Task ManyAppendsAndRemovals_ReusedSlotsAndGrownIndex_EveryIdFindsItsOwnEvent()
    {
        // Slots are reused and the id index grows several times: after each round, every live id reads back its own body,
        // every removed one is gone, and a reused slot's old queue items do not hand out its new event twice.
        var store = new InMemoryEventStore(Clock, processedRetention: TimeSpan.FromMinutes(1));
        var live = new Dictionary<string, string>(StringComparer.Ordinal);
        var random = new Random(7);
        int next = 0;
        for (int round = 0; round < 6; round++)
        {
            for (int i = 0; i < 5000; i++, next++)
            {
                string body = "{\"n\":" + next + "}";
                Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("m" + next, body)));
                live["github:m" + next] = body;
            }

            foreach (string id in live.Keys.Where(_ => random.Next(3) == 0).ToList())
            {
                Assert.True(await store.DeleteAsync(id));
                live.Remove(id);
            }

            // Half of the rest is processed and then forgotten by retention.
            var claimed = new HashSet<string>(StringComparer.Ordinal);
            foreach (WebhookClaim claim in await store.ClaimAsync(live.Count / 2, Lease))
            {
                Assert.True(claimed.Add(claim.Event.Id));
                Assert.Equal(live[claim.Event.Id], Encoding.UTF8.GetString(claim.Event.Body.Span));
                Assert.True(await store.CompleteAsync(claim.Event.Id, claim.Token, unhandled: false));
            }

            Clock.Advance(TimeSpan.FromMinutes(2));
            foreach (string id in claimed)
            {
                live.Remove(id);
            }

            foreach ((string id, string body) in live)
            {
                WebhookEvent? read = await store.ReadAsync(id);
                Assert.NotNull(read);
                Assert.Equal(id, read.Id);
                Assert.Equal(body, Encoding.UTF8.GetString(read.Body.Span));
            }

            foreach (string id in claimed)
            {
                Assert.Null(await store.GetAsync(id));
            }

            Assert.Equal(live.Count, store.Count);
        }

        // What is left is claimed exactly once each, in arrival order.
        IReadOnlyList<WebhookClaim> rest = await store.ClaimAsync(int.MaxValue, Lease);
        Assert.Equal(live.Keys.OrderBy(id => int.Parse(id["github:m".Length..], System.Globalization.CultureInfo.InvariantCulture)), rest.Select(c => c.Event.Id));
        Assert.Empty(await store.ClaimAsync(10, Lease));
    }

    [Fact]
    public async Task ClaimAsync_EventRebuiltFromCompactForm_EqualsWhatWasAppended()
    {
        var store = new InMemoryEventStore(Clock);
        var headers = new Dictionary<string, string>
        {
            ["X-GitHub-Event"] = "push",
            ["X-GitHub-Delivery"] = "1f2e",
            ["X-Hub-Signature-256"] = "sha256=abc",
            ["X-Note"] = "caf\u00e9 \u2603",
            ["X-Long"] = new string('v', 300),
        };
        WebhookEvent appended = WebhookEvent.Create("github", "d\u00e9livery-\ud83d\ude00", "push", headers, new byte[] { 0, 255, 10 }, new DateTimeOffset(2026, 3, 1, 13, 0, 0, TimeSpan.FromHours(1)))
            with { TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", DeduplicateByBody = true };
        await store.AppendAsync(appended);

        WebhookEvent claimed = Assert.Single(await store.ClaimAsync(1, Lease)).Event;
        Assert.Equal(appended.Id, claimed.Id);
        Assert.Equal(appended.Source, claimed.Source);
        Assert.Equal(appended.EventType, claimed.EventType);
        Assert.Equal(appended.ReceivedAt, claimed.ReceivedAt);
        Assert.Equal(appended.ReceivedAt.Offset, claimed.ReceivedAt.Offset);
        Assert.Equal(appended.TraceParent, claimed.TraceParent);
        Assert.True(claimed.DeduplicateByBody);
        Assert.Equal(1, claimed.Attempts);
        Assert.Equal(appended.Body.ToArray(), claimed.Body.ToArray());
        Assert.Equal(headers.OrderBy(h => h.Key, StringComparer.Ordinal), claimed.Headers.OrderBy(h => h.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task DeadEvent_NeighboursForgottenAndCollected_ItsIdHeadersAndTraceStillRead()
    {
        // A dead event's id and headers leave the page they shared with the events around it; those are forgotten and
        // collected, and the dead one still reads back whole.
        var store = new InMemoryEventStore(Clock, processedRetention: TimeSpan.FromMinutes(1));
        for (int i = 0; i < 200; i++)
        {
            await store.AppendAsync(NewEvent("n" + i) with { TraceParent = i == 100 ? "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" : null });
        }

        foreach (WebhookClaim claim in await store.ClaimAsync(200, Lease))
        {
            Assert.True(claim.Event.Id == "github:n100"
                ? await store.FailAsync(claim.Event.Id, claim.Token, "gave up", retryDelay: null)
                : await store.CompleteAsync(claim.Event.Id, claim.Token, unhandled: false));
        }

        Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, (await store.CountAsync()).Total);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        WebhookEvent dead = (await store.ReadAsync("github:n100"))!;
        Assert.Equal("github:n100", dead.Id);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", dead.TraceParent);
        Assert.Equal("push", dead.Headers["X-GitHub-Event"]);
        Assert.Equal(WebhookEventStatus.Dead, (await store.GetAsync("github:n100"))!.Status);
    }

    [Fact]
    public async Task DeleteAsync_BodyNoLongerHeldBeforeCompaction()
    {
        var store = new InMemoryEventStore(Clock);
        WeakReference body = await AppendWithBodyAsync(store, "gone");
        await store.AppendAsync(NewEvent("kept"));
        Assert.True(await store.DeleteAsync("github:gone"));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(body.IsAlive);
        Assert.Equal("github:kept", (await store.ListAsync(null, 10)).Items.Single().Id);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private async Task<WeakReference> AppendWithBodyAsync(InMemoryEventStore store, string id)
    {
        byte[] body = new byte[64 * 1024];
        await store.AppendAsync(WebhookEvent.Create("github", id, "push", [], body, Clock.GetUtcNow()));
        return new WeakReference(body);
    }

    [Fact]
    public void Constructor_InvalidLimits_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>("limits", () => new InMemoryEventStore(limits: new InMemoryStoreOptions { MaxEvents = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("processedRetention", () => new InMemoryEventStore(processedRetention: TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task AddWebhookReceiver_LedgerFull_AppendsRefusedSoNothingIsAcceptedThatCannotRun()
    {
        var clock = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock);
        services.AddWebhookReceiver(o => o.InMemory.MaxIdempotencyKeys = 3).AddHandler<NoOpHandler>("github");
        await using ServiceProvider provider = services.BuildServiceProvider();
        IWebhookEventStore store = provider.GetRequiredService<IWebhookEventStore>();
        IIdempotencyStore ledger = provider.GetRequiredService<IIdempotencyStore>();

        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("a")));
        for (int i = 0; i < 3; i++)
        {
            await ledger.TryBeginAsync("charge:" + i, TimeSpan.FromMinutes(1));
        }

        WebhookStoreUnavailableException full = await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await store.AppendAsync(NewEvent("b")));
        Assert.Contains("idempotency store is full", full.Message, StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(WebhookAppendResult.Appended, await store.AppendAsync(NewEvent("b")));
    }

    private sealed class NoOpHandler : IWebhookHandler
    {
        public Task HandleAsync(WebhookEvent webhookEvent, System.Threading.CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
