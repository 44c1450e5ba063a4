using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Idempotency;
using Webhooks.Processing;
using Webhooks.Storage;

namespace Webhooks.Tests.Storage;

public class InMemoryEventStoreTests : EventStoreContractTests
{
    protected override IEventStore CreateStore(TimeSpan? processedRetention = null, int? maxEvents = null, long? maxBytes = null) =>
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
        Assert.Equal(EventAppendResult.Appended, await store.AppendAsync(NewEvent("c")));
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
        IEventStore store = provider.GetRequiredService<IEventStore>();
        IIdempotencyStore ledger = provider.GetRequiredService<IIdempotencyStore>();

        Assert.Equal(EventAppendResult.Appended, await store.AppendAsync(NewEvent("a")));
        for (int i = 0; i < 3; i++)
        {
            await ledger.TryBeginAsync("charge:" + i, TimeSpan.FromMinutes(1));
        }

        WebhookStoreUnavailableException full = await Assert.ThrowsAsync<WebhookStoreUnavailableException>(async () => await store.AppendAsync(NewEvent("b")));
        Assert.Contains("idempotency store is full", full.Message, StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(EventAppendResult.Appended, await store.AppendAsync(NewEvent("b")));
    }

    private sealed class NoOpHandler : IWebhookHandler
    {
        public Task HandleAsync(WebhookEvent webhookEvent, System.Threading.CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
